/**
 * The decode-once query rule (broker.md §3.5): pairs are decoded exactly once (`+` → space,
 * `%XX` → byte, strict UTF-8) and re-encoded once with form rules when the upstream URL is built.
 *
 * @see ../../../shared/spec/broker.md §3.5
 */
import { invalidRequest } from '../broker-error.js';
import { utf8DecodeStrict, utf8Encode } from '../encoding.js';

export type QueryPair = readonly [key: string, value: string];

/**
 * Parses the raw query text (after `?`) into ordered decoded pairs.
 *
 * @example decodeQuery('q=has%3Aattachment&flag') // [['q', 'has:attachment'], ['flag', '']]
 */
export function decodeQuery(raw: string | null): QueryPair[] {
  if (raw === null) return [];
  const pairs: QueryPair[] = [];
  for (const segment of raw.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const key = eq < 0 ? segment : segment.slice(0, eq);
    const value = eq < 0 ? '' : segment.slice(eq + 1);
    pairs.push([decodeComponent(key), decodeComponent(value)]);
  }
  return pairs;
}

/**
 * `application/x-www-form-urlencoded` serialisation: space as `+`, only ASCII letters, digits and
 * `* - . _` bare, everything else `%XX` upper-case. No pairs → empty string (no bare `?`).
 */
export function encodeQuery(pairs: readonly QueryPair[]): string {
  return pairs.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
}

export function formEncode(text: string): string {
  let out = '';
  for (const byte of utf8Encode(text)) {
    if (
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2a ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f
    ) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) {
      out += '+';
    } else {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

// --- internal ---

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function decodeComponent(text: string): string {
  const source = utf8Encode(text);
  const out = new Uint8Array(source.length);
  let o = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i]!;
    if (byte === 0x2b) {
      out[o++] = 0x20;
    } else if (byte === 0x25) {
      const hi = i + 1 < source.length ? hexValue(source[i + 1]!) : -1;
      const lo = i + 2 < source.length ? hexValue(source[i + 2]!) : -1;
      if (hi < 0 || lo < 0) throw invalidRequest('query parameter contains invalid percent encoding');
      out[o++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[o++] = byte;
    }
  }
  const decoded = utf8DecodeStrict(out.subarray(0, o));
  if (decoded === null) throw invalidRequest('query parameter contains invalid utf-8');
  return decoded;
}
