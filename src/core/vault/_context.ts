/** The resolved dependencies every vault module receives (built once by `createVault`). */
import type { Clock, CryptoPort, EnvMap, FsPort } from '../ports.js';
import type { VaultPaths } from './types.js';
import type { AuditLog } from './audit-log.js';
import type { KeyState } from './key-state.js';
import type { SecretIndex } from './secret-index.js';
import type { KdfParams } from './providers/passphrase.js';
import type { VaultConfig } from './config.js';
import type { StatCache } from './stat-cache.js';
import type { StatWatch } from '../stat-watch.js';
import type { RecordCache } from './record-cache.js';

export interface VaultContext {
  fs: FsPort;
  crypto: CryptoPort;
  clock: Clock;
  env: EnvMap;
  paths: VaultPaths;
  pid: number;
  uuid: () => string;
  sleep: (ms: number) => Promise<void>;
  /** KDF parameters for new passphrase providers (vault.md §5.3 defaults). */
  kdf: KdfParams;
  audit: AuditLog;
  keys: KeyState;
  index: SecretIndex;
  /** `vault.json`, validated by stat (`readConfig` goes through it; `writeConfig` invalidates it). */
  configFile: StatCache<VaultConfig | null>;
  /** Watch-validated stats (plain stats when the port cannot watch); `fs` above is its write-tracking port. */
  watched: StatWatch;
  /** Parsed records, kept only while `watched` is watching. */
  records: RecordCache;
  /** Background work the caller does not wait for (advisory `lastUsedAtMs` writes). */
  background: Background;
  /** Serialises this instance's read-modify-write operations. */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>;
}

export interface Background {
  /** Runs `task` without the caller waiting, unless one with the same `key` is still running; failures are ignored. */
  run(key: string, task: () => Promise<unknown>): void;
  /** Resolves once every task started so far has settled. */
  settled(): Promise<void>;
}

/** Options for `atomicWriteFile` from this context. */
export function stagingOptions(ctx: VaultContext, mode: number): { mode: number; pid: number; uuid: () => string } {
  return { mode, pid: ctx.pid, uuid: ctx.uuid };
}
