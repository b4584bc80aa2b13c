/**
 * `vault.json`: schema, reading (a malformed file names itself and the position, Decision 14)
 * and atomic writing (0600).
 *
 * @see ../../../../shared/spec/vault.md §4.1, §2.3, §2.4
 */
import { defaulted, integer, literal, string, type, union, type Infer } from 'superstruct';
import { match } from 'ts-pattern';
import { atomicWriteFile } from '../atomic-write.js';
import type { FsPort } from '../ports.js';
import type { KeyProviderConfig } from './types.js';
import type { VaultContext } from './_context.js';
import { stagingOptions } from './_context.js';
import { parseJsonFile, prettyJson } from './json-file.js';
import { DEFAULT_ENV_VAR } from './providers/env.js';
import { DEFAULT_KEYCHAIN_ACCOUNT, DEFAULT_KEYCHAIN_SERVICE } from './providers/macos-keychain.js';
import { ioError, isNotFound, notEnabled } from './vault-errors.js';

const AeadBlobStruct = type({ alg: literal('xchacha20poly1305'), nonceB64: string(), ciphertextB64: string() });

export const ProviderStruct = union([
  type({ type: literal('file'), path: string() }),
  // Inner keys left out fall back to the provider defaults (vault.md §5.2, §5.4).
  type({ type: literal('env'), env_var: defaulted(string(), DEFAULT_ENV_VAR) }),
  type({
    type: literal('macos_keychain'),
    service: defaulted(string(), DEFAULT_KEYCHAIN_SERVICE),
    account: defaulted(string(), DEFAULT_KEYCHAIN_ACCOUNT),
  }),
  type({
    type: literal('passphrase'),
    kdf: type({ saltB64: string(), mCostKib: integer(), tCost: integer(), pCost: integer() }),
    check: type({ sha256Hex: string(), blob: AeadBlobStruct }),
  }),
]);

const VaultConfigStruct = type({
  version: integer(),
  createdAtMs: integer(),
  updatedAtMs: integer(),
  provider: ProviderStruct,
  kekId: string(),
});

export type VaultConfig = Omit<Infer<typeof VaultConfigStruct>, 'provider'> & { provider: KeyProviderConfig };

/** Reads `vault.json` (one `stat` while it is unchanged, see `stat-cache.ts`); `null` when it does not exist. */
export function readConfig(ctx: VaultContext): Promise<VaultConfig | null> {
  return ctx.configFile.get(ctx.paths.configPath);
}

/** Reads and validates `vault.json` from disk; `null` when it does not exist. Callers share the result: never mutate it. */
export async function readConfigFile(fs: FsPort, path: string): Promise<VaultConfig | null> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw ioError(error);
  }
  return parseJsonFile(path, bytes, VaultConfigStruct);
}

/** Reads `vault.json` or fails with `vault not enabled`. */
export async function requireConfig(ctx: VaultContext): Promise<VaultConfig> {
  const config = await readConfig(ctx);
  if (config === null) throw notEnabled();
  return config;
}

/** Writes `vault.json` atomically with mode 0600 (failure aborts). */
export async function writeConfig(ctx: VaultContext, config: VaultConfig): Promise<void> {
  const ordered = {
    version: 1,
    createdAtMs: config.createdAtMs,
    updatedAtMs: config.updatedAtMs,
    provider: orderedProvider(config.provider),
    kekId: config.kekId,
  };
  try {
    await atomicWriteFile(ctx.fs, ctx.paths.configPath, prettyJson(ordered), stagingOptions(ctx, 0o600));
  } finally {
    ctx.configFile.invalidate();
  }
}

/** The provider config in the original's key order (type first, snake_case inner keys). */
export function orderedProvider(provider: KeyProviderConfig): KeyProviderConfig {
  return match<KeyProviderConfig, KeyProviderConfig>(provider)
    .with({ type: 'file' }, (p) => ({ type: 'file', path: p.path }))
    .with({ type: 'env' }, (p) => ({ type: 'env', env_var: p.env_var }))
    .with({ type: 'macos_keychain' }, (p) => ({ type: 'macos_keychain', service: p.service, account: p.account }))
    .with({ type: 'passphrase' }, (p) => ({
      type: 'passphrase',
      kdf: { saltB64: p.kdf.saltB64, mCostKib: p.kdf.mCostKib, tCost: p.kdf.tCost, pCost: p.kdf.pCost },
      check: {
        sha256Hex: p.check.sha256Hex,
        blob: { alg: p.check.blob.alg, nonceB64: p.check.blob.nonceB64, ciphertextB64: p.check.blob.ciphertextB64 },
      },
    }))
    .exhaustive();
}
