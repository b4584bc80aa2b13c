/**
 * `vault.json`: schema, reading (a malformed file names itself and the position, Decision 14)
 * and atomic writing (0600).
 *
 * @see ../../../../shared/spec/vault.md §4.1, §2.3, §2.4
 */
import { integer, literal, string, type, union, type Infer } from 'superstruct';
import { atomicWriteFile } from '../atomic-write.js';
import type { KeyProviderConfig } from './types.js';
import type { VaultContext } from './_context.js';
import { stagingOptions } from './_context.js';
import { parseJsonFile, prettyJson } from './json-file.js';
import { ioError, isNotFound, notEnabled } from './vault-errors.js';

const AeadBlobStruct = type({ alg: literal('xchacha20poly1305'), nonceB64: string(), ciphertextB64: string() });

export const ProviderStruct = union([
  type({ type: literal('file'), path: string() }),
  type({ type: literal('env'), env_var: string() }),
  type({ type: literal('macos_keychain'), service: string(), account: string() }),
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

/** Reads `vault.json`; `null` when it does not exist. */
export async function readConfig(ctx: VaultContext): Promise<VaultConfig | null> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(ctx.paths.configPath);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw ioError(error);
  }
  return parseJsonFile(ctx.paths.configPath, bytes, VaultConfigStruct);
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
  await atomicWriteFile(ctx.fs, ctx.paths.configPath, prettyJson(ordered), stagingOptions(ctx, 0o600));
}

/** The provider config in the original's key order (type first, snake_case inner keys). */
export function orderedProvider(provider: KeyProviderConfig): KeyProviderConfig {
  switch (provider.type) {
    case 'file':
      return { type: 'file', path: provider.path };
    case 'env':
      return { type: 'env', env_var: provider.env_var };
    case 'macos_keychain':
      return { type: 'macos_keychain', service: provider.service, account: provider.account };
    case 'passphrase':
      return {
        type: 'passphrase',
        kdf: { saltB64: provider.kdf.saltB64, mCostKib: provider.kdf.mCostKib, tCost: provider.kdf.tCost, pCost: provider.kdf.pCost },
        check: {
          sha256Hex: provider.check.sha256Hex,
          blob: { alg: provider.check.blob.alg, nonceB64: provider.check.blob.nonceB64, ciphertextB64: provider.check.blob.ciphertextB64 },
        },
      };
  }
}
