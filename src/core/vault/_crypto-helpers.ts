/** Small WebCrypto helpers shared by the vault modules (random bytes, SHA-256, HMAC). */
import type { CryptoPort } from '../ports.js';
import { hexEncode } from '../encoding.js';

export function randomBytes(crypto: CryptoPort, length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** Lowercase hex SHA-256. */
export async function sha256Hex(crypto: CryptoPort, bytes: Uint8Array): Promise<string> {
  return hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', asBuffer(bytes))));
}

/** Lowercase hex HMAC-SHA-256 keyed by `key`. */
export async function hmacSha256Hex(crypto: CryptoPort, key: Uint8Array, payload: Uint8Array): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', asBuffer(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hexEncode(new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, asBuffer(payload))));
}

// --- internal ---

/** WebCrypto wants an ArrayBuffer-backed view; copy when the bytes live elsewhere. */
function asBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
