/**
 * Where the KEK comes from at run time: the key file (cached, re-read when its `stat` changes),
 * the env var (read on every access), or the in-memory cache of an unlocked passphrase vault
 * (Decision 4). Both caches are wiped on lock.
 *
 * @see ../../../../shared/spec/vault.md §5, §6.6; docs/decisions.md "Vault" (caches)
 */
import { match } from 'ts-pattern';
import type { EnvMap, FileStat, FsPort } from '../ports.js';
import { wipe } from '../encoding.js';
import type { KeyProviderConfig } from './types.js';
import { readEnvKey } from './providers/env.js';
import { readKeyFile } from './providers/file.js';
import { keychainUnavailable } from './providers/macos-keychain.js';
import { createStatCache } from './stat-cache.js';
import { vaultLocked } from './vault-errors.js';

export interface KeyState {
  /** The KEK for the current config, as a copy the caller wipes; `vault locked` when unavailable. */
  get(config: { provider: KeyProviderConfig; kekId: string }): Promise<Uint8Array>;
  /** Caches a verified KEK (passphrase vaults). Takes a copy. */
  remember(kek: Uint8Array, kekId: string): void;
  /** A copy of the cached KEK when it has this fingerprint. */
  cached(kekId: string): Uint8Array | null;
  /** Wipes and drops the cached KEKs (passphrase and key file). */
  clear(): void;
}

export function createKeyState(ports: { fs: FsPort; env: EnvMap; stat?: (path: string) => Promise<FileStat> }): KeyState {
  let cache: { kek: Uint8Array; kekId: string } | null = null;
  const keyFile = createStatCache<Uint8Array>({
    fs: ports.fs,
    ...(ports.stat === undefined ? {} : { stat: ports.stat }),
    read: (path) => readKeyFile(ports, path),
    release: wipe,
    share: (kek) => kek.slice(),
  });
  const cached = (kekId: string): Uint8Array | null => (cache !== null && cache.kekId === kekId ? cache.kek.slice() : null);
  return {
    get: (config) =>
      match(config.provider)
        .with({ type: 'file' }, (p) => keyFile.get(p.path))
        .with({ type: 'env' }, (p) => Promise.resolve(readEnvKey(ports.env, p.env_var)))
        .with({ type: 'macos_keychain' }, () => Promise.reject(keychainUnavailable()))
        .with({ type: 'passphrase' }, () => {
          const kek = cached(config.kekId);
          return kek === null ? Promise.reject(vaultLocked()) : Promise.resolve(kek);
        })
        .exhaustive(),
    remember(kek, kekId) {
      if (cache !== null) wipe(cache.kek);
      cache = { kek: kek.slice(), kekId };
    },
    cached,
    clear() {
      if (cache !== null) wipe(cache.kek);
      cache = null;
      keyFile.invalidate();
    },
  };
}
