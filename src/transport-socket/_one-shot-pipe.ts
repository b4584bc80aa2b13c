// One request per connection: connect, write, half-close, read to EOF (daemon.md §5.1).
import type { Socket } from 'node:net';
import {
  BrokerError,
  createLineSplitter,
  decodeChunkLine,
  decodeReplyValue,
  decodeStreamLine,
  jsonEncoder,
  protocolError,
  streamEndedEarly,
  type CallOptions,
  type WirePipe,
} from '../core/protocol/index.js';
import { abortOnSignal, cancelledError, connectSocket } from './_client-connect.js';
import { nodeChunkBase64 } from './_base64.js';
import { errnoReason } from './_io.js';

export function createOneShotPipe(path: string): WirePipe {
  return {
    name: path,
    async call(value, options?: CallOptions) {
      const socket = await connectSocket(path, options?.signal);
      const release = abortOnSignal(socket, options?.signal);
      try {
        socket.end(jsonEncoder.encode(value));
        const reply = await readAll(socket, path, options?.signal);
        return decodeReplyValue(reply, { socket: path });
      } finally {
        release();
        socket.destroy();
      }
    },
    async *stream(value, options?: CallOptions) {
      const socket = await connectSocket(path, options?.signal);
      const release = abortOnSignal(socket, options?.signal);
      const context = { socket: path, stream: true };
      try {
        socket.end(jsonEncoder.encode(value));
        const splitter = createLineSplitter();
        try {
          for await (const chunk of socket as AsyncIterable<Uint8Array>) {
            for (const line of splitter.push(chunk)) {
              const fast = decodeChunkLine(line, nodeChunkBase64);
              if (fast !== undefined && fast.id === null) {
                yield fast.bytes;
                continue;
              }
              const frame = decodeStreamLine(line, context);
              if (frame.type === 'end') return;
              yield frame.bytes;
            }
          }
        } catch (error) {
          if (options?.signal?.aborted) throw cancelledError();
          if (error instanceof BrokerError) throw error;
          throw protocolError(path, `read failed: ${errnoReason(error).reason}`, true);
        }
        const rest = splitter.rest();
        if (rest.length > 0) {
          const frame = decodeStreamLine(rest, context);
          if (frame.type === 'end') return;
        }
        throw streamEndedEarly(context);
      } finally {
        release();
        socket.destroy();
      }
    },
    close: async () => {},
  };
}

// --- internal ---

/** Reads to EOF. A write-side failure (the daemon replied early and closed) still yields what arrived. */
function readAll(socket: Socket, path: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let failure: unknown = null;
    socket.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    socket.on('error', (error) => (failure ??= error));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('close', () => {
      if (signal?.aborted) return reject(cancelledError());
      if (chunks.length > 0) return resolve(Buffer.concat(chunks));
      reject(protocolError(path, failure === null ? 'connection closed before reply' : `read failed: ${errnoReason(failure).reason}`, false));
    });
  });
}
