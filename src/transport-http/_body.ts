// Request bodies: a size-capped JSON read for the envelope and mint routes, and the raw stream for
// passthrough.
import type { IncomingMessage } from 'node:http';
import { BrokerError, formatByteLimit } from '../core/index.js';
import { routeError, StatusError } from './_errors.js';

/** A body over the cap: 413, and the connection is closed rather than the rest of the body drained. */
function tooLarge(limit: number): StatusError {
  return new StatusError(413, routeError(`request exceeds ${formatByteLimit(limit)}`), { connection: 'close' });
}

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

/** The passthrough body: `null` when the request declares none, else the request stream itself. */
export function requestBodyStream(request: IncomingMessage): AsyncIterable<Uint8Array> | null {
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || Number(length) === 0)) return null;
  return request;
}
