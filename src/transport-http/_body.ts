// Request bodies: a size-capped JSON read for the envelope and mint routes, and the capped raw
// stream for passthrough. A body over the cap is 413 and the connection is closed rather than the
// rest of the body drained.
import type { IncomingMessage } from 'node:http';
import { BrokerError, formatByteLimit } from '../core/index.js';
import { routeError, StatusError } from './_errors.js';

/**
 * Reads the whole body (at most `maxBytes`) and parses it as JSON. A declared `content-length`
 * over the cap is refused before anything is read. The parser's own message is not used: newer
 * engines quote the input in it.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BrokerError({ code: 'invalid_request', message: 'invalid request JSON: body is not valid JSON' });
  }
}

/** A passthrough body as the core reads it, and whether it ran over the transport's cap. */
export interface CappedBody {
  stream: AsyncIterable<Uint8Array> | null;
  exceeded(): boolean;
}

/**
 * The passthrough body: `null` when the request declares none, else the request stream capped at
 * `maxBytes` (the core buffers it, and a capability may set no size limit of its own). A declared
 * `content-length` over the cap is refused before anything is read.
 */
export function requestBodyStream(request: IncomingMessage, maxBytes: number): CappedBody {
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || Number(length) === 0)) return { stream: null, exceeded: () => false };
  if (Number(length ?? 0) > maxBytes) throw tooLarge(maxBytes);
  let over = false;
  async function* capped(): AsyncGenerator<Uint8Array> {
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        throw tooLarge(maxBytes).error;
      }
      yield chunk;
    }
  }
  return { stream: capped(), exceeded: () => over };
}

/** The 413 for a body over `limit` (the core's refusal of it is rethrown as this). */
export function tooLarge(limit: number): StatusError {
  return new StatusError(413, routeError(`request exceeds ${formatByteLimit(limit)}`), { connection: 'close' });
}
