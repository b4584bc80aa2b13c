/**
 * Response shaping: body policy [B-RESP-POLICY] (size limit on the received bytes, substring
 * blocklist on UTF-8 bodies), whether a policy forces buffering (§9.4), bounded reads for the
 * 401 hold-back [B-STREAM], and re-chunking to reads of at most 16 KiB.
 *
 * @see ../../../shared/spec/broker.md §9.3, §9.4, §11
 */
import { BrokerError, policyViolation } from '../broker-error.js';
import { concatBytes, utf8DecodeStrict, utf8Encode } from '../encoding.js';
import type { CapabilityPolicy } from '../registry/types.js';
import { raceSignal } from './_race-signal.js';

export const MAX_CHUNK_BYTES = 16 * 1024;
export const DEFERRED_401_LIMIT = 1_048_576;
export const DEFERRED_401_MESSAGE = 'upstream 401 response exceeds the deferred retry limit';

/** True when the capability's response policy needs the whole body (streams fall back to one chunk). */
export function requiresBuffering(policy: CapabilityPolicy | undefined): boolean {
  if (policy === undefined) return false;
  return policy.maxResponseBodyBytes !== null && policy.maxResponseBodyBytes !== undefined ? true : blocklist(policy).length > 0;
}

/** Size check on the pre-redaction bytes, then blocklist replacement in list order. */
export function applyBodyPolicy(body: Uint8Array, policy: CapabilityPolicy | undefined): Uint8Array {
  if (policy === undefined) return body;
  const max = policy.maxResponseBodyBytes;
  if (max !== null && max !== undefined && body.length > max) throw policyViolation('response body exceeds capability size limit');
  const entries = blocklist(policy);
  if (entries.length === 0) return body;
  const text = utf8DecodeStrict(body);
  if (text === null) return body;
  let out = text;
  for (const entry of entries) out = out.split(entry).join('[REDACTED]');
  return utf8Encode(out);
}

/**
 * Reads a whole body, failing as soon as more than `limit` bytes arrived. Aborting `signal`
 * rejects a pending read even when the source ignores it.
 */
export async function readLimited(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  message: string,
  signal?: AbortSignal,
  code: 'policy_violation' | 'upstream_error' | 'oauth_error' = 'upstream_error',
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of abortable(body, signal)) {
    total += chunk.length;
    if (total > limit) throw new BrokerError({ code, message });
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}

/** Splits chunks larger than `max` bytes; never merges, so the first bytes go out immediately. */
export async function* rechunk(body: AsyncIterable<Uint8Array>, max = MAX_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    for (let i = 0; i < chunk.length; i += max) yield chunk.subarray(i, Math.min(chunk.length, i + max));
  }
}

/**
 * Iterates `body`, rejecting the pending `next()` once `signal` aborts (a timeout must end a
 * stalled stream even if the upstream never notices). The source is closed on early exit.
 */
export async function* abortable(body: AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const result = await raceSignal(iterator.next(), signal, abortError);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** Drains nothing and releases the source (a discarded first 401 body). */
export async function discard(body: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  await Promise.resolve(iterator.return?.()).catch(() => undefined);
}

// --- internal ---

function blocklist(policy: CapabilityPolicy): string[] {
  return (policy.responseBodyBlocklist ?? []).map((e) => e.trim()).filter((e) => e !== '');
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('aborted'), { name: 'AbortError' });
}
