/**
 * The contract every auth strategy renderer implements (broker.md §6): given the policy-checked
 * request and the decrypted material, add broker-owned auth. Renderers never see caller headers
 * except through `sign`, which runs at execution time over the final wire request (SigV4).
 *
 * @see ../../../../shared/spec/broker.md §6
 */
import type { Clock, CryptoPort } from '../../ports.js';
import { materialError } from '../secret-material.js';
import type { Header } from '../headers.js';
import type { QueryPair } from '../query.js';
import type { RuntimeCredential } from '../types.js';

export interface AuthInput {
  credential: RuntimeCredential;
  /** Upper-cased method. */
  method: string;
  /** Path after `upstreamPathPrefix` (broker.md §4.1 step 18). */
  path: string;
  /** Caller query pairs, decoded. */
  query: readonly QueryPair[];
  /** Effective authority (`host` or `host:port`). */
  authority: string;
  /** Raw secret bytes from the vault. */
  secret: Uint8Array;
  crypto: CryptoPort;
  clock: Clock;
}

/** The wire request a signer sees: final URL parts, headers and body bytes. */
export interface WireRequest {
  method: string;
  authority: string;
  /** Path as it goes on the wire (URL-serialised). */
  path: string;
  query: readonly QueryPair[];
  headers: readonly Header[];
  body: Uint8Array;
}

export interface AuthOutput {
  path: string;
  /** The same path with broker-managed secrets replaced by `REDACTED` (broker.md §8.2). */
  safePath: string;
  /** Auth pairs appended after the caller's. */
  query: QueryPair[];
  safeQuery: QueryPair[];
  headers: Header[];
  clientCertificate?: { certPem: string; keyPem: string; poolKey: string };
  /** Execution-time signing over the final bytes; returns headers to append. */
  sign?: (wire: WireRequest) => Promise<Header[]>;
  /** Secret strings that must never appear in any message (error scrubbing). */
  secrets: string[];
}

/** Default output: nothing added. Renderers spread and override. */
export function passthrough(input: AuthInput): AuthOutput {
  return { path: input.path, safePath: input.path, query: [...input.query], safeQuery: [...input.query], headers: [], secrets: [] };
}

/** Header values the HTTP layer would reject (and could echo): CR, LF, NUL. */
export function assertHeaderSafe(value: string): void {
  if (/[\r\n\0]/.test(value)) throw materialError('secret material is not a valid header value');
}
