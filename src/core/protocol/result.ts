/**
 * Buffers a `BrokerResponse` into the result object of an `execute_envelope` reply.
 *
 * @see ../../../shared/spec/broker.md §10.4
 */
import type { BrokerResponse, BrokerResult } from '../broker/types.js';
import { base64Encode, concatBytes } from '../encoding.js';

// ignoreBOM keeps a leading BOM in `bodyUtf8`, as the original's `String::from_utf8` does.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function collectResult(response: BrokerResponse): Promise<BrokerResult> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  const body = concatBytes(chunks);
  let bodyUtf8: string | null;
  try {
    bodyUtf8 = strictUtf8.decode(body);
  } catch {
    bodyUtf8 = null;
  }
  return {
    planned: { ...response.planned },
    response: {
      status: response.status,
      headers: response.headers.map((h) => ({ name: h.name, value: h.value })),
      bodyUtf8,
      bodyB64: base64Encode(body),
    },
  };
}
