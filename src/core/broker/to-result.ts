/**
 * Collects a `BrokerResponse` into the buffered result object [B-RESULT]: standard base64 body,
 * `bodyUtf8` null when the bytes are not valid UTF-8, header values that are not visible ASCII
 * (tab allowed) become "".
 *
 * @see ../../../shared/spec/broker.md §10.4
 */
import { base64Encode, concatBytes } from '../encoding.js';

// ignoreBOM keeps a leading BOM in `bodyUtf8`, as the original's `String::from_utf8` does.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
import type { BrokerResponse, BrokerResult } from './types.js';

/** @example const result = await toResult(await broker.handle({ envelope, stream: false }, ctx)) */
export async function toResult(response: BrokerResponse): Promise<BrokerResult> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  // A buffered response is usually one chunk already: no copy then.
  const body = chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
  return {
    planned: { ...response.planned },
    response: {
      status: response.status,
      headers: response.headers.map((h) => ({ name: h.name, value: isVisibleAscii(h.value) ? h.value : '' })),
      bodyUtf8: decodeUtf8(body),
      bodyB64: base64Encode(body),
    },
  };
}

/** Visible ASCII as HTTP libraries define it for `to_str`: 0x20-0x7E plus tab. */
export function isVisibleAscii(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value);
}

// --- internal ---

function decodeUtf8(body: Uint8Array): string | null {
  try {
    return strictUtf8.decode(body);
  } catch {
    return null;
  }
}
