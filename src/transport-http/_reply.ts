// Streams a broker response to the caller: status and the (core-filtered) upstream headers at
// once, then each body chunk as it arrives, waiting for `drain` so a slow reader slows the
// upstream read instead of growing a buffer.
import type { ServerResponse } from 'node:http';
import type { BrokerResponse } from '../core/index.js';

/** Resolves when the body is sent, or stops early (without throwing) when the caller went away. */
export async function sendBrokerResponse(response: ServerResponse, reply: BrokerResponse): Promise<void> {
  const flat: string[] = [];
  for (const { name, value } of reply.headers) flat.push(name, value);
  response.writeHead(reply.status, flat);
  // Send the head now: a caller waiting on a slow first chunk (SSE) sees the status at once.
  response.flushHeaders();
  for await (const chunk of reply.body) {
    if (response.destroyed) break;
    if (!response.write(chunk)) await drained(response);
  }
  if (!response.destroyed) response.end();
}

// --- internal ---

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
