/**
 * The AEAD primitive: XChaCha20-Poly1305 (24-byte nonce, 16-byte tag appended) and its
 * serialised blob `{alg, nonceB64, ciphertextB64}`.
 *
 * @see ../../../../shared/spec/vault.md §6.2
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { base64DecodeStrict, base64Encode } from '../encoding.js';
import type { AeadBlob } from './types.js';
import { providerError } from './vault-errors.js';

export const AEAD_ALG = 'xchacha20poly1305';
export const NONCE_BYTES = 24;

/** A blob as read from disk: `alg` is checked on open, not trusted by type. */
export interface AeadBlobInput {
  alg: string;
  nonceB64: string;
  ciphertextB64: string;
}

/** Encrypts with the caller's (random, 24-byte) nonce. */
export function aeadSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, nonce: Uint8Array): AeadBlob {
  const ciphertext = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  return { alg: AEAD_ALG, nonceB64: base64Encode(nonce), ciphertextB64: base64Encode(ciphertext) };
}

/**
 * Decrypts a blob. Fails closed with `vault provider misconfigured: unsupported aead alg |
 * invalid nonce | invalid nonce length | invalid ciphertext | decrypt failed`.
 */
export function aeadOpen(key: Uint8Array, blob: AeadBlobInput, aad: Uint8Array): Uint8Array {
  if (blob.alg !== AEAD_ALG) throw providerError('unsupported aead alg');
  const nonce = base64DecodeStrict(blob.nonceB64);
  if (nonce === null) throw providerError('invalid nonce');
  if (nonce.length !== NONCE_BYTES) throw providerError('invalid nonce length');
  const ciphertext = base64DecodeStrict(blob.ciphertextB64);
  if (ciphertext === null) throw providerError('invalid ciphertext');
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(ciphertext);
  } catch (error) {
    throw providerError('decrypt failed', error);
  }
}
