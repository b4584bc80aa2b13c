// A connection upgraded by `{"op":"multiplex"}`: many requests, each tagged by id (see core protocol/multiplex.ts).
import type { Socket } from 'node:net';
import {
  BrokerError,
  LineTooLongError,
  MUX_ACK,
  createLineSplitter,
  decodeMuxClientLine,
  encodeLine,
  encodeMuxReply,
  errorReply,
  requestParseError,
  serveRequest,
  streamLines,
  type MuxClientMessage,
} from '../core/protocol/index.js';
import type { ConnectionOptions } from './_connection.js';
import { nodeChunkBase64 } from './_base64.js';
import { endWith, writeBytes } from './_io.js';

export async function serveMultiplexed(
  socket: Socket,
  iterator: AsyncIterator<Uint8Array>,
  leftover: Uint8Array,
  options: ConnectionOptions,
  setShutdown: (hook: () => void) => void,
): Promise<void> {
  const inflight = new Map<number, { controller: AbortController; task: Promise<void> }>();
  let closing = false;
  let fatal = false;
  const finishIfIdle = () => {
    if (closing && inflight.size === 0) endWith(socket);
  };
  setShutdown(() => {
    closing = true;
    finishIfIdle();
  });
  socket.on('close', () => {
    for (const entry of inflight.values()) entry.controller.abort();
  });

  const onMessage = (message: MuxClientMessage): void => {
    if (message.kind === 'invalid') {
      if (message.id === null) {
        // Unroutable: answer it, stop reading, let in-flight calls finish, then end the connection.
        fatal = true;
        void writeBytes(socket, encodeMuxReply(null, errorReply(message.error))).catch(() => {});
        return;
      }
      void writeBytes(socket, encodeMuxReply(message.id, errorReply(message.error))).catch(() => {});
      return;
    }
    if (message.kind === 'cancel') return void inflight.get(message.id)?.controller.abort();
    if (closing || inflight.has(message.id)) {
      const why = closing ? 'aivaultd is shutting down' : `duplicate multiplexed id ${message.id}`;
      void writeBytes(socket, encodeMuxReply(message.id, errorReply(new BrokerError({ code: 'daemon_error', message: why })))).catch(() => {});
      return;
    }
    const controller = new AbortController();
    const task = runOne(socket, message.id, message.request, options, controller.signal)
      .catch(() => {})
      .finally(() => {
        inflight.delete(message.id);
        finishIfIdle();
      });
    inflight.set(message.id, { controller, task });
  };

  await writeBytes(socket, encodeLine(MUX_ACK));
  const splitter = createLineSplitter(options.maxRequestBytes);
  try {
    for (let chunk: Uint8Array | null = leftover; !fatal; ) {
      if (chunk !== null) for (const line of splitter.push(chunk)) if (!fatal) onMessage(decodeMuxClientLine(line));
      if (fatal) break;
      const next = await iterator.next();
      if (next.done) break;
      chunk = next.value;
    }
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    endWith(socket, encodeMuxReply(null, errorReply(requestParseError(error.message))));
    return;
  }
  closing = true;
  await Promise.all([...inflight.values()].map((entry) => entry.task));
  // After a fatal frame we stop reading, so do not wait for the peer's half-close either.
  if (fatal) socket.once('finish', () => socket.destroy());
  endWith(socket);
}

// --- internal ---

async function runOne(
  socket: Socket,
  id: number,
  request: Extract<MuxClientMessage, { kind: 'request' }>['request'],
  options: ConnectionOptions,
  signal: AbortSignal,
): Promise<void> {
  const served = await serveRequest(options.service, request, { transport: 'socket', signal });
  if (served.kind === 'reply') return writeBytes(socket, encodeMuxReply(id, served.reply));
  for await (const line of streamLines(served.body, { base64: nodeChunkBase64, id })) {
    await writeBytes(socket, line);
    if (signal.aborted) break;
  }
}
