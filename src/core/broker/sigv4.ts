/**
 * AWS Signature Version 4 (Decision 10): canonical request, string to sign, the four-step key
 * derivation and the final HMAC, over the final body bytes. The signed-header set is a parameter
 * so AWS's published test-suite vectors can be reproduced exactly.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * @see ../../../shared/spec/broker.md §6.8, spec/README.md Decisions 10, 18
 */
import type { CryptoPort } from '../ports.js';
import { hexEncode } from '../encoding.js';
import { digestHex, hmac } from './_digest.js';
import type { Header } from './headers.js';
import type { QueryPair } from './query.js';

export interface SigV4Input {
  method: string;
  /** Path as sent on the wire (already percent-encoded where needed). */
  path: string;
  /** Decoded query pairs. */
  query: readonly QueryPair[];
  /** Headers to consider, `host` included; names any case. */
  headers: readonly Header[];
  /** Lower-case hex SHA-256 of the body. */
  payloadHash: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** Names to sign (lower-case). @default every header given */
  signedHeaders?: readonly string[];
  /**
   * Encode each wire path segment again (every service but S3). With `false` the segments are
   * decoded and encoded once (S3, and the test suite's raw-path vectors).
   * @default service !== 's3'
   */
  doubleEncodePath?: boolean;
}

export interface SigV4Output {
  authorization: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
}

/** @example await signSigV4(crypto, { method: 'GET', path: '/', …, amzDate: '20150830T123600Z' }) */
export async function signSigV4(crypto: CryptoPort, input: SigV4Input): Promise<SigV4Output> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of input.headers) {
    const n = name.trim().toLowerCase();
    const list = grouped.get(n) ?? [];
    list.push(value.trim().replace(/\s+/g, ' '));
    grouped.set(n, list);
  }
  const names = (input.signedHeaders ?? [...grouped.keys()]).map((n) => n.toLowerCase()).filter((n) => grouped.has(n));
  const sorted = [...new Set(names)].sort();
  const canonicalHeaders = sorted.map((n) => `${n}:${grouped.get(n)!.join(',')}\n`).join('');
  const signedHeaders = sorted.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path, input.doubleEncodePath ?? input.service !== 's3'),
    canonicalQuery(input.query),
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, await digestHex(crypto, canonicalRequest)].join('\n');
  let key = await hmac(crypto, 'SHA-256', `AWS4${input.secretAccessKey}`, date);
  key = await hmac(crypto, 'SHA-256', key, input.region);
  key = await hmac(crypto, 'SHA-256', key, input.service);
  key = await hmac(crypto, 'SHA-256', key, 'aws4_request');
  const signature = hexEncode(await hmac(crypto, 'SHA-256', key, stringToSign));
  const authorization = `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { authorization, canonicalRequest, stringToSign, signature, signedHeaders };
}

/** `YYYYMMDDTHHMMSSZ` for a millisecond timestamp. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding as AWS defines it: only `A-Z a-z 0-9 - _ . ~` left bare. */
export function awsUriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// --- internal ---

function canonicalUri(path: string, doubleEncode: boolean): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => awsUriEncode(doubleEncode ? segment : safeDecode(segment)))
    .join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function canonicalQuery(pairs: readonly QueryPair[]): string {
  return pairs
    .map(([k, v]) => [awsUriEncode(k), awsUriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}
