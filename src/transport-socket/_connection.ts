// One accepted connection: read the request to the half-close (or upgrade to multiplex), serve, reply.
import type { Socket } from 'node:net';
import {
  createRequestReader,
  decodeRequest,
  encodeReply,
  errorReply,
  formatByteLimit,
  jsonEncoder,
  requestParseError,
  serveRequest,
  streamLines,
  type BrokerService,
} from '../core/protocol/index.js';
import { nodeChunkBase64 } from './_base64.js';
import { endWith, writeBytes } from './_io.js';
import { serveMultiplexed } from './_multiplex-connection.js';

export interface ConnectionOptions {
  service: BrokerService;
  maxRequestBytes: number;
  readTimeoutMs: number;
}

/** What the server tracks per connection, to shut it down gracefully. */
export interface ConnectionHandle {
  /** `reading` connections are dropped on close; `handling` ones finish; `multiplex` ones drain. */
  phase: 'reading' | 'handling' | 'multiplex';
  /** Asks the connection to finish: stop taking requests, complete in-flight ones. */
  shutdown(): void;
  /** Settles when the connection is fully handled; rejects on an I/O failure. */
  done: Promise<void>;
}

export function handleConnection(socket: Socket, options: ConnectionOptions): ConnectionHandle {
  /** Set while a one-shot call is in flight: only then does a closing socket have work to cancel. */
  let inFlight: AbortController | null = null;
  let shutdownHook = (): void => void socket.destroy();
  const handle: ConnectionHandle = {
    phase: 'reading',
    shutdown: () => shutdownHook(),
    done: Promise.resolve(),
  };
  socket.on('error', () => {}); // reported through `done`; never crashes the daemon
  // Aborting costs an AbortError (a DOMException with a stack) per connection; a call that already
  // answered has nothing to cancel, so a one-shot connection closing after its reply skips it.
  socket.on('close', () => inFlight?.abort());
  socket.setTimeout(options.readTimeoutMs, () => {
    if (handle.phase !== 'reading') return;
    endWith(socket, encodeReply(errorReply(requestParseError('request read timed out'))));
    socket.destroy();
  });

  handle.done = (async () => {
    const reader = createRequestReader(options.maxRequestBytes);
    let firstLineChecked = false;
    // destroyOnReturn false: the iterator must not destroy the socket at EOF, the reply is still to be written.
    const iterator = socket.iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array>;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (!reader.push(next.value)) return oversized(socket, iterator, options.maxRequestBytes);
      if (!firstLineChecked && reader.firstLine() !== null) {
        firstLineChecked = true;
        if (isMultiplexHello(reader.firstLine()!)) {
          handle.phase = 'multiplex';
          socket.setTimeout(0);
          return serveMultiplexed(socket, iterator, reader.afterFirstLine(), options, (hook) => (shutdownHook = hook));
        }
      }
    }
    handle.phase = 'handling';
    socket.setTimeout(0);
    shutdownHook = () => {};
    const controller = new AbortController();
    inFlight = controller;
    try {
      await serveOneShot(socket, reader.bytes(), options, controller.signal);
    } finally {
      inFlight = null;
    }
  })();
  return handle;
}

// --- internal ---

async function serveOneShot(socket: Socket, bytes: Uint8Array, options: ConnectionOptions, signal: AbortSignal): Promise<void> {
  let request;
  try {
    request = decodeRequest(bytes, { readMaxBytes: options.maxRequestBytes });
  } catch (error) {
    return endWith(socket, encodeReply(errorReply(error)));
  }
  if (request.op === 'multiplex') {
    return endWith(socket, encodeReply(errorReply(requestParseError('multiplex must be the first line of an open connection'))));
  }
  const served = await serveRequest(options.service, request, { transport: 'socket', signal });
  if (served.kind === 'reply') {
    await writeBytes(socket, encodeReply(served.reply));
    return endWith(socket);
  }
  try {
    for await (const line of streamLines(served.body, { base64: nodeChunkBase64 })) await writeBytes(socket, line);
  } finally {
    endWith(socket);
  }
}

/** Replies at once, then discards what the client still sends (up to one more cap) so it can read the reply. */
async function oversized(socket: Socket, iterator: AsyncIterator<Uint8Array>, max: number): Promise<void> {
  socket.setTimeout(0);
  endWith(socket, encodeReply(errorReply(requestParseError(`request exceeds ${formatByteLimit(max)}`))));
  let discarded = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    discarded += next.value.length;
    if (discarded > max) return void socket.destroy();
  }
}

function isMultiplexHello(line: Uint8Array): boolean {
  try {
    const value = jsonEncoder.decode(line);
    return typeof value === 'object' && value !== null && (value as { op?: unknown }).op === 'multiplex';
  } catch {
    return false;
  }
}
