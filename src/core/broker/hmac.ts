/**
 * The `hmac` strategy's signature (Decisions 10, 16, 18): HMAC-<algorithm>(secret, canonical
 * input), lower-case hex unless the config names `base64`. The raw secret never leaves.
 *
 * @see ../../../shared/spec/broker.md §6.9
 */
import { policyViolation } from '../broker-error.js';
import { base64Encode, hexEncode } from '../encoding.js';
import type { CryptoPort } from '../ports.js';
import { hmac, type HashName } from './_digest.js';
import type { QueryPair } from './query.js';

const ALGORITHMS: Record<string, HashName> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/**
 * `<METHOD>\n<path>\n<canonical query>`: decoded `key=value` strings sorted and joined by `&`.
 *
 * @example hmacCanonicalInput('post', '/v1/messages', [['b','2'],['a','1']]) // 'POST\n/v1/messages\na=1&b=2'
 */
export function hmacCanonicalInput(method: string, path: string, query: readonly QueryPair[]): string {
  const rendered = query.map(([k, v]) => `${k}=${v}`).sort(compareCodePoints);
  return `${method.trim().toUpperCase()}\n${path.trim()}\n${rendered.join('&')}`;
}

export async function hmacSignature(
  crypto: CryptoPort,
  algorithm: string,
  secret: string,
  input: string,
  encoding: 'hex' | 'base64' = 'hex',
): Promise<string> {
  const hash = ALGORITHMS[algorithm.trim().toLowerCase()];
  if (hash === undefined) throw policyViolation(`unsupported hmac algorithm '${algorithm}'`);
  const mac = await hmac(crypto, hash, secret, input);
  return encoding === 'base64' ? base64Encode(mac) : hexEncode(mac);
}

// --- internal ---

/**
 * Lexicographic order by Unicode code point, which is the byte order of the UTF-8 strings the
 * original sorts; plain `<` compares UTF-16 code units and puts astral characters before U+E000-U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}
