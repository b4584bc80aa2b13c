/**
 * Vault record shapes, byte-compatible with the original's files.
 *
 * @see ../../../shared/spec/vault.md §3-§4
 */

/** In-memory scope. On disk a record uses the externally tagged form (`"global"`, `{workspace:{workspace_id}}`). */
export type Scope =
  | { kind: 'global' }
  | { kind: 'workspace'; workspaceId: string }
  | { kind: 'group'; workspaceId: string; groupId: string };

export interface AeadBlob {
  alg: 'xchacha20poly1305';
  nonceB64: string;
  ciphertextB64: string;
}

export interface EnvelopeCiphertext {
  alg: 'xchacha20poly1305+envelope';
  dekWrapped: AeadBlob & { kekId: string };
  value: AeadBlob;
}

export interface GroupAttachment {
  workspaceId: string;
  groupId: string;
}

/** What callers and the CLI see: never ciphertext, never values (vault.md §3.3). */
export interface SecretMetadata {
  secretId: string;
  name: string;
  aliases: string[];
  scope: Scope;
  systemManaged: boolean;
  pinnedProvider?: string;
  createdAtMs: number;
  updatedAtMs: number;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
  valueVersion: number;
  attachedGroups: GroupAttachment[];
}

export type KeyProviderConfig =
  | { type: 'file'; path: string }
  | { type: 'env'; env_var: string }
  | { type: 'macos_keychain'; service: string; account: string }
  | {
      type: 'passphrase';
      kdf: { saltB64: string; mCostKib: number; tCost: number; pCost: number };
      check: { sha256Hex: string; blob: AeadBlob };
    };

export type KeyProviderType = KeyProviderConfig['type'];

export interface VaultStatus {
  enabled: boolean;
  providerType: KeyProviderType | null;
  locked: boolean;
  kekId: string | null;
}

export interface AuditEvent {
  tsMs: number;
  kind: string;
  secretId?: string;
  scope?: string;
  actor?: string;
  capability?: string;
  consumer?: string;
  note?: string;
  /** `capability.invoked` keys (Decision 16). */
  credential?: string;
  provider?: string;
  host?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  requestBytes?: number;
  responseBytes?: number;
  outcome?: 'ok' | 'error';
  error?: string;
  workspaceId?: string;
  groupId?: string;
  clientIp?: string;
  transport?: 'inproc' | 'socket' | 'http';
}

/** Absolute paths of one vault root (vault.md §2.2). */
export interface VaultPaths {
  rootDir: string;
  configPath: string;
  secretsDir: string;
  auditDir: string;
  capabilitiesPath: string;
  brokerPath: string;
  migrationsPath: string;
  stateDir: string;
  rateLimitsPath: string;
  runDir: string;
  /** Default file-provider key path used by auto-initialisation (§4.3). */
  defaultKeyPath: string;
}

/** Requested provider for `init` (Decision 3). Omitted fields take the contract's defaults. */
export type InitProvider =
  | { type: 'file'; path?: string }
  | { type: 'env'; envVar?: string }
  | { type: 'passphrase'; passphrase: string }
  | { type: 'macos_keychain'; service?: string; account?: string };

/** Options for reading a secret's plaintext. */
export interface ResolveOptions {
  /** Execution context; the scope rule applies to every read (Decision 2, security.md §8.1). */
  workspaceId?: string | null;
  groupId?: string | null;
  /** Skips the scope rule: only for registry-derived credentials of global secrets (vault.md §8.3). */
  skipScopeCheck?: boolean;
  /** `secret.used` audit labels. */
  purpose?: string;
  consumer?: string;
}

/** Operator-initiated mutations refuse `systemManaged` secrets (Decision 6). */
export interface MutationOptions {
  operator?: boolean;
}

/**
 * The vault library API. One instance per vault root; safe to keep alive (the daemon does).
 * Every method fails with `BrokerError` codes `vault_error` / `vault_locked` / `secret_not_accessible`
 * and the contract's messages.
 */
export interface Vault {
  readonly paths: VaultPaths;
  status(): Promise<VaultStatus>;
  /** Operator preamble: auto-initialise when `vault.json` is missing, finish an interrupted rotation, run migrations. */
  load(): Promise<VaultStatus>;
  /** Explicit init (Decision 3): creates with the requested provider, or checks the existing one. */
  init(provider?: InitProvider): Promise<VaultStatus>;
  /** Derives the KEK of a passphrase vault and checks it against the check record (no caching). */
  deriveKey(passphrase: string): Promise<Uint8Array>;
  /** Verifies and caches `kek` (passphrase vaults); a no-op returning status for other providers. */
  unlockWithKey(kek: Uint8Array): Promise<VaultStatus>;
  unlock(passphrase: string): Promise<VaultStatus>;
  lock(): Promise<VaultStatus>;
  rotateMaster(options: { newKey?: string; newPassphrase?: string }): Promise<VaultStatus>;

  listSecrets(): Promise<SecretMetadata[]>;
  /**
   * Metadata of the records (revoked included) whose `name` is one of `names`, from the in-memory
   * index: the per-call lookup that keeps credential resolution flat as the vault grows.
   */
  secretsNamed(names: readonly string[]): Promise<SecretMetadata[]>;
  getSecret(secretId: string): Promise<SecretMetadata>;
  createSecret(input: {
    name: string;
    value: Uint8Array;
    scope: Scope;
    aliases?: string[];
    systemManaged?: boolean;
  }): Promise<SecretMetadata>;
  updateSecret(secretId: string, patch: { name?: string; aliases?: string[] }, options?: MutationOptions): Promise<SecretMetadata>;
  rotateSecret(secretId: string, value: Uint8Array, options?: MutationOptions): Promise<SecretMetadata>;
  revokeSecret(secretId: string, options?: MutationOptions): Promise<SecretMetadata>;
  attachGroup(secretId: string, workspaceId: string, groupId: string): Promise<SecretMetadata>;
  detachGroup(secretId: string, workspaceId: string, groupId: string): Promise<SecretMetadata>;
  setSystemManaged(secretId: string, flag: boolean): Promise<SecretMetadata>;
  pinProvider(secretId: string, provider: string): Promise<SecretMetadata>;
  /** `vault:secret:<id>` → plaintext bytes; marks used and audits `secret.used`. Caller wipes the result. */
  resolve(secretRef: string, options?: ResolveOptions): Promise<Uint8Array>;
  findGlobalRefByName(nameOrAlias: string): Promise<string | null>;
  signHmacSha256(secretRef: string, payload: Uint8Array, options?: ResolveOptions): Promise<string>;

  appendAudit(event: Omit<AuditEvent, 'tsMs'> & { tsMs?: number }): Promise<void>;
  readAudit(limit: number, beforeTsMs?: number): Promise<AuditEvent[]>;
  /** Resolves once the background writes this instance started (advisory `lastUsedAtMs`, queued audit lines) have settled. */
  flush(): Promise<void>;
  /** Stops this instance's directory watchers (they never keep the process alive; optional for fakes). */
  close?(): void;
}
