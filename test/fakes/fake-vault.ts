// An in-memory Vault (src/core/vault/types.ts) for registry/runtime tests, until/besides the real one.
// It mirrors the contract rules the registry code relies on: global name uniqueness, immutable
// pins, systemManaged refusal for operator mutations, and the scope rule on reads (Decision 2).
import { BrokerError, vaultError } from '../../src/core/broker-error.js';
import type { Clock } from '../../src/core/ports.js';
import type { ResolveOptions, Scope, SecretMetadata, Vault, VaultPaths } from '../../src/core/vault/types.js';

export interface FakeVault extends Vault {
  /** Every `resolve` call: which secret, with what purpose. */
  readonly reads: Array<{ secretId: string; name: string; purpose: string | undefined }>;
  /** Current plaintext (tests only). */
  valueOf(secretId: string): string;
}

export function createFakeVault(clock: Clock, root = '/vault'): FakeVault {
  const records = new Map<string, { meta: SecretMetadata; value: Uint8Array }>();
  const reads: FakeVault['reads'] = [];
  let counter = 0;
  const paths: VaultPaths = {
    rootDir: root,
    configPath: `${root}/vault.json`,
    secretsDir: `${root}/secrets`,
    auditDir: `${root}/audit`,
    capabilitiesPath: `${root}/capabilities.json`,
    brokerPath: `${root}/broker.json`,
    migrationsPath: `${root}/migrations/applied.json`,
    stateDir: `${root}/state`,
    rateLimitsPath: `${root}/state/rate-limits.json`,
    runDir: `${root}/run`,
    defaultKeyPath: `${root}/keys/kek.key`,
  };
  const get = (id: string) => {
    const r = records.get(id);
    if (!r) throw vaultError('secret not found');
    return r;
  };
  const touch = (id: string, patch: Partial<SecretMetadata>): SecretMetadata => {
    const r = get(id);
    r.meta = { ...r.meta, ...patch, updatedAtMs: clock.now() };
    return { ...r.meta };
  };
  const refuseManaged = (id: string, operator?: boolean) => {
    if (operator && get(id).meta.systemManaged) throw vaultError(`secret '${id}' is system-managed`);
  };
  const status = async () => ({ enabled: true, providerType: 'file' as const, locked: false, kekId: 'k' });
  const unsupported = async (): Promise<never> => {
    throw new BrokerError({ code: 'internal', message: 'not supported by the fake vault' });
  };
  const vault: FakeVault = {
    paths,
    reads,
    valueOf: (id) => new TextDecoder().decode(get(id).value),
    status,
    load: status,
    init: status,
    deriveKey: unsupported,
    unlockWithKey: status,
    unlock: status,
    lock: status,
    rotateMaster: status,
    async listSecrets() {
      return [...records.values()].map((r) => ({ ...r.meta })).sort((a, b) => a.createdAtMs - b.createdAtMs || (a.secretId < b.secretId ? -1 : 1));
    },
    async getSecret(id) {
      return { ...get(id).meta };
    },
    async createSecret(input) {
      const name = input.name.trim();
      if (!name) throw vaultError('secret name required');
      if (input.scope.kind === 'global') {
        for (const r of records.values()) {
          if (r.meta.scope.kind === 'global' && r.meta.revokedAtMs === null && (r.meta.name === name || r.meta.aliases.includes(name))) {
            throw vaultError(`global secret name '${name}' already exists`);
          }
        }
      }
      counter += 1;
      const secretId = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
      const now = clock.now();
      const meta: SecretMetadata = {
        secretId,
        name,
        aliases: [...(input.aliases ?? [])].sort(),
        scope: input.scope,
        systemManaged: input.systemManaged ?? false,
        createdAtMs: now,
        updatedAtMs: now,
        lastUsedAtMs: null,
        revokedAtMs: null,
        valueVersion: 1,
        attachedGroups: [],
      };
      records.set(secretId, { meta, value: Uint8Array.from(input.value) });
      return { ...meta };
    },
    async updateSecret(id, patch, options) {
      refuseManaged(id, options?.operator);
      return touch(id, { ...(patch.name ? { name: patch.name.trim() } : {}), ...(patch.aliases ? { aliases: patch.aliases } : {}) });
    },
    async rotateSecret(id, value, options) {
      refuseManaged(id, options?.operator);
      const r = get(id);
      if (r.meta.revokedAtMs !== null) throw vaultError('secret revoked');
      r.value = Uint8Array.from(value);
      return touch(id, { valueVersion: Math.max(r.meta.valueVersion + 1, 2) });
    },
    async revokeSecret(id, options) {
      refuseManaged(id, options?.operator);
      return touch(id, { revokedAtMs: clock.now() });
    },
    async attachGroup(id, workspaceId, groupId) {
      const groups = get(id).meta.attachedGroups;
      return touch(id, { attachedGroups: [...groups, { workspaceId, groupId }] });
    },
    async detachGroup(id, workspaceId, groupId) {
      const groups = get(id).meta.attachedGroups.filter((g) => g.workspaceId !== workspaceId || g.groupId !== groupId);
      return touch(id, { attachedGroups: groups });
    },
    async setSystemManaged(id, flag) {
      return get(id).meta.systemManaged === flag ? { ...get(id).meta } : touch(id, { systemManaged: flag });
    },
    async pinProvider(id, provider) {
      const meta = get(id).meta;
      if (meta.pinnedProvider === provider) return { ...meta };
      if (meta.pinnedProvider !== undefined) throw vaultError(`secret pinnedProvider is immutable (already pinned to '${meta.pinnedProvider}')`);
      return touch(id, { pinnedProvider: provider });
    },
    async resolve(ref, options?: ResolveOptions) {
      const id = ref.trim().replace(/^vault:secret:/, '');
      const r = get(id);
      if (r.meta.revokedAtMs !== null) throw vaultError('secret revoked');
      if (!options?.skipScopeCheck && !allowed(r.meta, options?.workspaceId ?? null, options?.groupId ?? null)) {
        throw new BrokerError({ code: 'secret_not_accessible', message: 'secret not accessible' });
      }
      reads.push({ secretId: id, name: r.meta.name, purpose: options?.purpose });
      r.meta = { ...r.meta, lastUsedAtMs: clock.now() };
      return Uint8Array.from(r.value);
    },
    async findGlobalRefByName(name) {
      const hit = [...records.values()].find((r) => r.meta.scope.kind === 'global' && r.meta.revokedAtMs === null && r.meta.name === name.trim());
      return hit ? `vault:secret:${hit.meta.secretId}` : null;
    },
    signHmacSha256: unsupported,
    async appendAudit() {},
    async readAudit() {
      return [];
    },
  };
  return vault;
}

/** Decision 2: the scope rule on every read; attachments widen access. */
function allowed(meta: SecretMetadata, ws: string | null, group: string | null): boolean {
  if (ws !== null && group !== null && meta.attachedGroups.some((g) => g.workspaceId === ws && g.groupId === group)) return true;
  const scope: Scope = meta.scope;
  if (scope.kind === 'global') return group === null;
  if (scope.kind === 'workspace') return ws === scope.workspaceId;
  return ws === scope.workspaceId && group === scope.groupId;
}
