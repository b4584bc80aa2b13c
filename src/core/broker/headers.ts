/**
 * Caller header sanitisation [B-HDR] and response header filtering [B-RESP-HDR]: reserved names
 * dropped silently, auth-class and strategy-managed names refuse the request, a repeated name
 * refuses the request.
 *
 * @see ../../../shared/spec/broker.md §5, §11.1; security.md §7
 */
import { policyViolation } from '../broker-error.js';
import type { EnvelopeHeader } from './types.js';

export type Header = [name: string, value: string];

const RESERVED = new Set(['host', 'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);

/** Auth-class names refused whatever the strategy. */
export const ALWAYS_AUTH_HEADERS = ['authorization', 'proxy-authorization'] as const;

/** True for the hop-by-hop, framing and WebSocket names dropped in both directions. */
export function isReservedHeader(name: string): boolean {
  const n = name.trim().toLowerCase();
  return RESERVED.has(n) || n.startsWith('sec-websocket-');
}

/**
 * Sanitises caller headers in order. `managed` are the names the credential's strategy injects.
 *
 * @example sanitiseHeaders([{ name: 'X-Trace', value: '1' }], []) // [['x-trace', '1']]
 */
export function sanitiseHeaders(headers: readonly EnvelopeHeader[], managed: readonly string[]): Header[] {
  const refused = new Set<string>([...ALWAYS_AUTH_HEADERS, ...managed.map((m) => m.trim().toLowerCase())]);
  const out: Header[] = [];
  const seen = new Set<string>();
  for (const header of headers) {
    const name = header.name.trim().toLowerCase();
    if (name === '' || isReservedHeader(name)) continue;
    if (refused.has(name)) throw policyViolation('caller-supplied auth headers are not allowed');
    if (seen.has(name)) throw policyViolation('duplicate headers are not allowed');
    seen.add(name);
    out.push([name, header.value]);
  }
  return out;
}

/** Upstream response headers minus the reserved set; names lower-cased, repeats kept. */
export function filterResponseHeaders(headers: ReadonlyArray<readonly [string, string]>): Header[] {
  const out: Header[] = [];
  for (const [name, value] of headers) {
    const n = name.trim().toLowerCase();
    if (!isReservedHeader(n)) out.push([n, value]);
  }
  return out;
}
