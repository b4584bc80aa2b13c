/**
 * Key-encryption keys: parsing key text (env var, key file), encoding, fingerprints.
 *
 * @see ../../../../shared/spec/vault.md §5, §4.1 (`kekId`)
 */
import type { CryptoPort } from '../ports.js';
import { base64DecodeStrict, base64Encode, hexDecode, wipe } from '../encoding.js';
import { providerError } from './vault-errors.js';
import { sha256Hex } from './_crypto-helpers.js';

/** A KEK is always exactly 32 bytes. */
export const KEK_BYTES = 32;

/**
 * Parses key text: trimmed; strict standard base64 of 32 bytes, else exactly 64 hex chars.
 * Errors: `vault provider misconfigured: missing vault key` / `… invalid vault key (…)`.
 *
 * @example parseKeyText('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=')
 * @see ../../../../shared/spec/vault.md §5
 */
export function parseKeyText(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw providerError('missing vault key');
  const fromBase64 = base64DecodeStrict(trimmed);
  if (fromBase64 !== null && fromBase64.length === KEK_BYTES) return fromBase64;
  wipe(fromBase64);
  if (trimmed.length === 64) {
    const fromHex = hexDecode(trimmed);
    if (fromHex !== null) return fromHex;
  }
  throw providerError('invalid vault key (expected base64 or 64-char hex for 32 bytes)');
}

/** Key text as aivault writes it: standard base64 with padding, 44 chars, no newline. */
export function encodeKeyText(kek: Uint8Array): string {
  return base64Encode(kek);
}

/** `kekId`: lowercase hex SHA-256 of the raw KEK (a fingerprint, never the key). */
export function kekIdOf(crypto: CryptoPort, kek: Uint8Array): Promise<string> {
  return sha256Hex(crypto, kek);
}
