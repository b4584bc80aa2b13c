// Internal WebCrypto helpers shared by the signers (never re-exported).
import type { CryptoPort } from '../ports.js';
import { hexEncode, utf8Encode } from '../encoding.js';

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

const bytesOf = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? utf8Encode(data) : data);

/** Copies into a fresh ArrayBuffer-backed view (WebCrypto rejects SharedArrayBuffer views). */
const buf = (data: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(data);

export async function digestHex(crypto: CryptoPort, data: Uint8Array | string, hash: HashName = 'SHA-256'): Promise<string> {
  return hexEncode(new Uint8Array(await crypto.subtle.digest(hash, buf(bytesOf(data)))));
}

export async function hmac(crypto: CryptoPort, hash: HashName, key: Uint8Array | string, data: Uint8Array | string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', buf(bytesOf(key)), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, buf(bytesOf(data))));
}
