/**
 * `createVault`: assembles the vault library over explicit ports.
 *
 * @see ../../../../shared/spec/vault.md; spec/README.md Decisions 1-6, 14, 16, 18
 */
import { BrokerError } from '../broker-error.js';
import type { Clock, CryptoPort, EnvMap, FsPort } from '../ports.js';
import { joinPath } from '../paths.js';
import type { AuditEvent, Vault, VaultPaths, VaultStatus } from './types.js';
import type { VaultContext } from './_context.js';
import { findGlobalRefByName, resolveSecret, signHmacSha256 } from './access.js';
import { createAuditLog, type AuditBatching } from './audit-log.js';
import { readConfig, readConfigFile } from './config.js';
import { createStatCache } from './stat-cache.js';
import { createStatWatch } from '../stat-watch.js';
import { createRecordCache } from './record-cache.js';
import { createBackground } from './_background.js';
import { defaultInitProvider, initVault } from './init.js';
import { createKeyState } from './key-state.js';
import { runMigrations } from './migrations.js';
import { DEFAULT_KDF, type KdfParams } from './providers/passphrase.js';
import { readAllRecords } from './records.js';
import { recoverRotation, rotateMasterKey } from './rotate-master.js';
import { createSecretIndex } from './secret-index.js';
import * as secrets from './secrets.js';
import { deriveKey, lock, unlock, unlockWithKey, vaultStatus } from './unlock.js';
import { vaultPathsFor } from './vault-paths.js';

export interface VaultOptions {
  fs: FsPort;
  /** WebCrypto: random bytes, SHA-256, HMAC, `randomUUID`. */
  crypto: CryptoPort;
  clock: Clock;
  /** Only `AIVAULT_DISABLE_DISK_LOGS`, `MOLDABLE_DISABLE_DISK_LOGS` and env-provider variables are read. */
  env: EnvMap;
  /** The vault root (see `resolveVaultRoot`). */
  rootDir: string;
  /** The user's home directory (default key path of canonical roots). */
  home: string;
  /** Staging-file names and the init-lock marker. */
  pid: number;
  /** Waits between init-lock retries (tests pass one that advances a manual clock). */
  sleep: (ms: number) => Promise<void>;
  /** @default vaultPathsFor(rootDir, { canonical, home }) */
  paths?: VaultPaths;
  /** @default rootDir === `<aivault-home>/data/vault` */
  canonical?: boolean;
  /** `<home>/.aivault`, or what `resolveVaultRoot` returned when no home is known. @default `<home>/.aivault` */
  aivaultHome?: string;
  /** @default () => crypto.randomUUID() */
  uuid?: () => string;
  /** Argon2id parameters for new passphrase providers. @default { mCostKib: 65536, tCost: 2, pCost: 1 } */
  kdf?: KdfParams;
  /** Runtime switch: no audit writes from this instance. @default false */
  disableAudit?: boolean;
  /** Audit segment size that triggers rotation. @default 5 MiB */
  auditRotateBytes?: number;
  /**
   * Append audit lines once per window instead of as soon as each is queued (the timer must keep
   * the process alive; `flush()` writes at once). @default undefined (no window)
   * @see ./audit-log.ts AuditLogOptions.batching
   */
  auditBatching?: AuditBatching;
}

/**
 * Creates a vault over one root. Keeping the instance alive (the daemon does) keeps the
 * unlocked passphrase key and the metadata index in memory.
 *
 * @example
 * const vault = createVault({ fs, crypto, clock, env, rootDir, home, pid, sleep });
 * await vault.load();
 * const ref = (await vault.createSecret({ name: 'OPENAI_API_KEY', value, scope: { kind: 'global' } })).secretId;
 * @see ../../../../shared/spec/vault.md §3-§12
 */
export function createVault(options: VaultOptions): Vault {
  for (const port of ['fs', 'crypto', 'clock', 'env', 'sleep'] as const) {
    if (options[port] === undefined || options[port] === null) {
      throw new BrokerError({ code: 'internal', message: `createVault requires the ${port} port` });
    }
  }
  const aivaultHome = options.aivaultHome ?? joinPath(options.home, '.aivault');
  const canonical = options.canonical ?? options.rootDir === joinPath(aivaultHome, 'data', 'vault');
  const paths = options.paths ?? vaultPathsFor(options.rootDir, { canonical, aivaultHome });
  const crypto = options.crypto;
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  };
  const watched = createStatWatch({ fs: options.fs, clock: options.clock });
  const fs = watched.fs;
  const ctx: VaultContext = {
    fs,
    crypto,
    clock: options.clock,
    env: options.env,
    paths,
    pid: options.pid,
    uuid: options.uuid ?? (() => crypto.randomUUID()),
    sleep: options.sleep,
    kdf: options.kdf ?? DEFAULT_KDF,
    audit: createAuditLog({
      fs,
      clock: options.clock,
      env: options.env,
      auditDir: paths.auditDir,
      ...(options.disableAudit === undefined ? {} : { disabled: options.disableAudit }),
      ...(options.auditRotateBytes === undefined ? {} : { rotateBytes: options.auditRotateBytes }),
      ...(options.auditBatching === undefined ? {} : { batching: options.auditBatching }),
    }),
    keys: createKeyState({ fs, env: options.env, stat: watched.stat }),
    index: createSecretIndex({
      statSecretsDir: () => watched.stat(paths.secretsDir),
      scan: () => readAllRecords(ctx),
    }),
    configFile: createStatCache({ fs, stat: watched.stat, read: (path) => readConfigFile(fs, path) }),
    watched,
    records: createRecordCache(watched),
    background: createBackground(),
    exclusive,
  };
  /** The same context with the lock already held (for multi-step operations). */
  const held: VaultContext = { ...ctx, exclusive: (task) => task() };
  const whole = <T>(task: (c: VaultContext) => Promise<T>): Promise<T> => exclusive(() => task(held));

  const migrateIfUnlocked = async (): Promise<void> => {
    const status = await vaultStatus(ctx);
    if (status.enabled && !status.locked) await whole((c) => runMigrations(c));
  };

  return {
    paths,
    status: () => vaultStatus(ctx),
    async load(): Promise<VaultStatus> {
      if ((await readConfig(ctx)) === null) await initVault(ctx, defaultInitProvider(ctx));
      await whole((c) => recoverRotation(c));
      await migrateIfUnlocked();
      return vaultStatus(ctx);
    },
    async init(provider) {
      await initVault(ctx, provider);
      await whole((c) => recoverRotation(c));
      await migrateIfUnlocked();
      return vaultStatus(ctx);
    },
    deriveKey: (passphrase) => deriveKey(ctx, passphrase),
    unlockWithKey: (kek) => whole((c) => unlockWithKey(c, kek, () => runMigrations(c))),
    unlock: (passphrase) => whole((c) => unlock(c, passphrase, () => runMigrations(c))),
    lock: () => lock(ctx),
    async rotateMaster(rotation) {
      await whole((c) => rotateMasterKey(c, rotation));
      return vaultStatus(ctx);
    },

    listSecrets: () => secrets.listSecrets(ctx),
    secretsNamed: (names) => secrets.secretsNamed(ctx, names),
    getSecret: (id) => secrets.getSecret(ctx, id),
    createSecret: (input) => secrets.createSecret(ctx, input),
    updateSecret: (id, patch, opts) => secrets.updateSecret(ctx, id, patch, opts),
    rotateSecret: (id, value, opts) => secrets.rotateSecret(ctx, id, value, opts),
    revokeSecret: (id, opts) => secrets.revokeSecret(ctx, id, opts),
    attachGroup: (id, ws, group) => secrets.attachGroup(ctx, id, ws, group),
    detachGroup: (id, ws, group) => secrets.detachGroup(ctx, id, ws, group),
    setSystemManaged: (id, flag) => secrets.setSystemManaged(ctx, id, flag),
    pinProvider: (id, provider) => secrets.pinProvider(ctx, id, provider),
    resolve: (ref, opts) => resolveSecret(ctx, ref, opts),
    findGlobalRefByName: (name) => findGlobalRefByName(ctx, name),
    signHmacSha256: (ref, payload, opts) => signHmacSha256(ctx, ref, payload, opts),

    appendAudit: (event) => ctx.audit.append({ ...event, tsMs: event.tsMs ?? ctx.clock.now() } as AuditEvent),
    readAudit: (limit, beforeTsMs) => ctx.audit.read(limit, beforeTsMs),
    async flush() {
      await ctx.background.settled();
      await ctx.audit.flush();
    },
    close: () => watched.close(),
  };
}
