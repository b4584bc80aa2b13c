/**
 * Envelope encryption of secret values: a fresh DEK per value, wrapped under the KEK, both
 * bound to the record by the same AAD (v1 unpinned, v2 pinned).
 *
 * @see ../../../../shared/spec/vault.md §6.1, §6.3, §6.4
 */
import type { CryptoPort } from '../ports.js';
import { utf8Encode, wipe } from '../encoding.js';
import type { EnvelopeCiphertext, Scope } from './types.js';
import { aeadOpen, aeadSeal, NONCE_BYTES, type AeadBlobInput } from './aead.js';
import { scopeString } from './scope.js';
import { providerError, vaultFailure } from './vault-errors.js';
import { randomBytes } from './_crypto-helpers.js';

export const ENVELOPE_ALG = 'xchacha20poly1305+envelope';
export const DEK_BYTES = 32;

/** The envelope as read from disk (`alg` fields checked on open). */
export interface EnvelopeInput {
  alg: string;
  dekWrapped: AeadBlobInput & { kekId: string };
  value: AeadBlobInput;
}

export interface AadFields {
  secretId: string;
  scope: Scope;
  aadVersion: number;
  pinnedProvider?: string | undefined;
}

/**
 * `vault:secret:v1:<id>:<scope>` (aadVersion 0/1) or `vault:secret:v2:<id>:<scope>:<pinned>` (2).
 *
 * @example aadFor({ secretId, scope: { kind: 'global' }, aadVersion: 2, pinnedProvider: 'openai' })
 */
export function aadFor(fields: AadFields): Uint8Array {
  const base = `${fields.secretId}:${scopeString(fields.scope)}`;
  if (fields.aadVersion === 0 || fields.aadVersion === 1) return utf8Encode(`vault:secret:v1:${base}`);
  if (fields.aadVersion === 2) {
    const pinned = fields.pinnedProvider?.trim() ?? '';
    if (pinned.length === 0) throw vaultFailure('aad v2 requires pinnedProvider (missing)');
    return utf8Encode(`vault:secret:v2:${base}:${pinned}`);
  }
  throw vaultFailure(`unsupported secret aadVersion ${fields.aadVersion}`);
}

/** Deterministic sealing for test vectors; production code calls `sealEnvelope`. */
export function sealEnvelopeWith(input: {
  value: Uint8Array;
  aad: Uint8Array;
  kek: Uint8Array;
  kekId: string;
  dek: Uint8Array;
  wrapNonce: Uint8Array;
  valueNonce: Uint8Array;
}): EnvelopeCiphertext {
  const wrapped = aeadSeal(input.kek, input.dek, input.aad, input.wrapNonce);
  const value = aeadSeal(input.dek, input.value, input.aad, input.valueNonce);
  return { alg: ENVELOPE_ALG, dekWrapped: { kekId: input.kekId, ...wrapped }, value };
}

/** Encrypts `value` under a fresh random DEK (wiped afterwards). */
export function sealEnvelope(crypto: CryptoPort, value: Uint8Array, aad: Uint8Array, kek: Uint8Array, kekId: string): EnvelopeCiphertext {
  const dek = randomBytes(crypto, DEK_BYTES);
  try {
    return sealEnvelopeWith({
      value,
      aad,
      kek,
      kekId,
      dek,
      wrapNonce: randomBytes(crypto, NONCE_BYTES),
      valueNonce: randomBytes(crypto, NONCE_BYTES),
    });
  } finally {
    wipe(dek);
  }
}

/** Unwraps the DEK (`invalid DEK` unless 32 bytes). Caller wipes the result. */
export function unwrapDek(ciphertext: EnvelopeInput | undefined, aad: Uint8Array, kek: Uint8Array): Uint8Array {
  if (ciphertext === undefined) throw vaultFailure('secret missing ciphertext');
  if (ciphertext.alg !== ENVELOPE_ALG) throw providerError('unsupported aead alg');
  const dek = aeadOpen(kek, ciphertext.dekWrapped, aad);
  if (dek.length !== DEK_BYTES) {
    wipe(dek);
    throw providerError('invalid DEK');
  }
  return dek;
}

/** Decrypts a value; the DEK is wiped. Caller wipes the plaintext. */
export function openEnvelope(ciphertext: EnvelopeInput | undefined, aad: Uint8Array, kek: Uint8Array): Uint8Array {
  const dek = unwrapDek(ciphertext, aad, kek);
  try {
    return aeadOpen(dek, (ciphertext as EnvelopeInput).value, aad);
  } finally {
    wipe(dek);
  }
}

