/**
 * The `passphrase` key provider: KEK = Argon2id(passphrase, salt); `vault.json` keeps the KDF
 * parameters and a check record, never the KEK.
 *
 * @see ../../../../../shared/spec/vault.md §5.3
 */
import { argon2id } from 'hash-wasm';
import type { CryptoPort } from '../../ports.js';
import { base64DecodeStrict, base64Encode, timingSafeEqual, utf8Encode, wipe } from '../../encoding.js';
import type { KeyProviderConfig } from '../types.js';
import { aeadOpen, aeadSeal, NONCE_BYTES } from '../aead.js';
import { KEK_BYTES } from '../kek.js';
import { providerError } from '../vault-errors.js';
import { randomBytes, sha256Hex } from '../_crypto-helpers.js';

export type PassphraseProviderConfig = Extract<KeyProviderConfig, { type: 'passphrase' }>;

export interface KdfParams {
  mCostKib: number;
  tCost: number;
  pCost: number;
}

/** Argon2id defaults: 64 MiB, 2 iterations, 1 lane. */
export const DEFAULT_KDF: KdfParams = { mCostKib: 65536, tCost: 2, pCost: 1 };

const CHECK_AAD = 'vault:check:v1';
const SALT_BYTES = 16;

/**
 * Argon2id v0x13 with the stored parameters, 32-byte output.
 *
 * @example await deriveKek('correct horse battery staple', { saltB64, mCostKib: 65536, tCost: 2, pCost: 1 })
 */
export async function deriveKek(passphrase: string, kdf: PassphraseProviderConfig['kdf']): Promise<Uint8Array> {
  const salt = base64DecodeStrict(kdf.saltB64);
  if (salt === null) throw providerError('invalid kdf salt');
  try {
    return await argon2id({
      password: passphrase,
      salt,
      parallelism: kdf.pCost,
      iterations: kdf.tCost,
      memorySize: kdf.mCostKib,
      hashLength: KEK_BYTES,
      outputType: 'binary',
    });
  } catch (error) {
    throw providerError('invalid kdf parameters', error);
  }
}

/** A new passphrase provider config (random salt, fresh check record) and its KEK. */
export async function createPassphraseProvider(
  crypto: CryptoPort,
  passphrase: string,
  params: KdfParams,
): Promise<{ provider: PassphraseProviderConfig; kek: Uint8Array }> {
  const kdf = { saltB64: base64Encode(randomBytes(crypto, SALT_BYTES)), ...params };
  const kek = await deriveKek(passphrase, kdf);
  const check = randomBytes(crypto, KEK_BYTES);
  try {
    const blob = aeadSeal(kek, check, utf8Encode(CHECK_AAD), randomBytes(crypto, NONCE_BYTES));
    const sha = await sha256Hex(crypto, check);
    return { provider: { type: 'passphrase', kdf, check: { sha256Hex: sha, blob } }, kek };
  } finally {
    wipe(check);
  }
}

/** Checks a KEK against the check record; any mismatch is `invalid passphrase` (Decision 4). */
export async function verifyPassphraseKek(crypto: CryptoPort, provider: PassphraseProviderConfig, kek: Uint8Array): Promise<void> {
  if (kek.length !== KEK_BYTES) throw providerError('invalid passphrase');
  let check: Uint8Array;
  try {
    check = aeadOpen(kek, provider.check.blob, utf8Encode(CHECK_AAD));
  } catch {
    throw providerError('invalid passphrase');
  }
  try {
    const actual = utf8Encode(await sha256Hex(crypto, check));
    if (!timingSafeEqual(actual, utf8Encode(provider.check.sha256Hex.toLowerCase()))) throw providerError('invalid passphrase');
  } finally {
    wipe(check);
  }
}
