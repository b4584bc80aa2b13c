// The persistent client: one connection upgraded with `{"op":"multiplex"}`, requests tagged by id.
import type { Socket } from 'node:net';
import {
  BrokerError,
  MUX_HELLO,
  createLineSplitter,
  decodeChunkLine,
  decodeMuxServerLine,
  encodeLine,
  encodeMuxCancel,
  encodeMuxRequest,
  errorFromWireText,
  protocolError,
  replyValue,
  streamFrameValue,
  type CallOptions,
  type WirePipe,
} from '../core/protocol/index.js';
import { nodeChunkBase64 } from './_base64.js';
import { cancelledError, connectSocket } from './_client-connect.js';

interface Receiver {
  message(message: unknown): void;
  /** A `chunk` frame read by the fast path (streams only; calls get it as a `message`). */
  chunk?(bytes: Uint8Array): void;
  fail(error: unknown): void;
}

interface MuxConnection {
  socket: Socket;
  receivers: Map<number, Receiver>;
  send(bytes: Uint8Array): void;
  /** Re-evaluates ref/unref and pause/resume after receivers or queues change. */
  update(): void;
}

/** Queued stream bytes above which the connection stops reading until consumers catch up. */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

export function createMultiplexPipe(path: string): WirePipe {
  let current: Promise<MuxConnection> | null = null;
  let nextId = 1;
  let queued = 0;
  const connection = (signal?: AbortSignal): Promise<MuxConnection> =>
    (current ??= open(path, signal, () => queued > HIGH_WATER_BYTES, () => (current = null)).catch((error: unknown) => {
      current = null;
      throw error;
    }));

  return {
    name: path,
    async call(value, options?: CallOptions) {
      const conn = await connection(options?.signal);
      const id = nextId++;
      return new Promise<unknown>((resolve, reject) => {
        const done = () => {
          conn.receivers.delete(id);
          options?.signal?.removeEventListener('abort', onAbort);
          conn.update();
        };
        const onAbort = () => {
          done();
          conn.send(encodeMuxCancel(id));
          reject(cancelledError());
        };
        if (options?.signal?.aborted) return reject(cancelledError());
        options?.signal?.addEventListener('abort', onAbort, { once: true });
        conn.receivers.set(id, {
          message: (message) => {
            done();
            try {
              resolve(replyValue(message, { socket: path }));
            } catch (error) {
              reject(error);
            }
          },
          fail: (error) => (done(), reject(error)),
        });
        conn.update();
        conn.send(encodeMuxRequest(id, value));
      });
    },
    async *stream(value, options?: CallOptions) {
      const conn = await connection(options?.signal);
      const id = nextId++;
      const items: Array<{ bytes: Uint8Array } | { end: true } | { error: unknown }> = [];
      let wake: (() => void) | null = null;
      const push = (item: (typeof items)[number]) => {
        if ('bytes' in item) queued += item.bytes.length;
        items.push(item);
        wake?.();
      };
      const onAbort = () => push({ error: cancelledError() });
      options?.signal?.addEventListener('abort', onAbort, { once: true });
      let finished = false;
      conn.receivers.set(id, {
        message: (message) => {
          try {
            const frame = streamFrameValue(message, { socket: path, stream: true });
            push(frame.type === 'end' ? { end: true } : { bytes: frame.bytes });
            conn.update();
          } catch (error) {
            push({ error });
          }
        },
        chunk: (bytes) => {
          push({ bytes });
          conn.update();
        },
        fail: (error) => push({ error }),
      });
      conn.update();
      conn.send(encodeMuxRequest(id, value));
      try {
        for (;;) {
          if (items.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          const item = items.shift()!;
          if ('bytes' in item) {
            queued -= item.bytes.length;
            conn.update();
            yield item.bytes;
          } else if ('end' in item) {
            finished = true;
            return;
          } else {
            finished = !options?.signal?.aborted;
            throw item.error;
          }
        }
      } finally {
        for (const item of items) if ('bytes' in item) queued -= item.bytes.length;
        options?.signal?.removeEventListener('abort', onAbort);
        conn.receivers.delete(id);
        if (!finished) conn.send(encodeMuxCancel(id));
        conn.update();
      }
    },
    async close() {
      const conn = await current?.catch(() => null);
      current = null;
      if (!conn) return;
      const closed = new Promise<void>((resolve) => (conn.socket.destroyed ? resolve() : conn.socket.once('close', () => resolve())));
      conn.socket.end();
      await closed;
    },
  };
}

// --- internal ---

async function open(path: string, signal: AbortSignal | undefined, overHighWater: () => boolean, onGone: () => void): Promise<MuxConnection> {
  const socket = await connectSocket(path, signal);
  const receivers = new Map<number, Receiver>();
  const context = { socket: path };
  const conn: MuxConnection = {
    socket,
    receivers,
    send: (bytes) => void (socket.destroyed || socket.writableEnded ? undefined : socket.write(bytes)),
    update: () => {
      if (receivers.size > 0) socket.ref();
      else socket.unref();
      if (overHighWater()) socket.pause();
      else if (socket.isPaused()) socket.resume();
    },
  };
  let acked!: { resolve: () => void; reject: (error: unknown) => void };
  const ready = new Promise<void>((resolve, reject) => (acked = { resolve, reject }));
  let gotAck = false;
  const failAll = (error: unknown) => {
    onGone();
    acked.reject(error);
    for (const receiver of [...receivers.values()]) receiver.fail(error);
    receivers.clear();
  };
  const splitter = createLineSplitter();
  socket.on('data', (chunk: Uint8Array) => {
    try {
      for (const line of splitter.push(chunk)) {
        if (!gotAck) {
          gotAck = true;
          replyValue(JSON.parse(new TextDecoder().decode(line)) as unknown, context);
          acked.resolve();
          continue;
        }
        const fast = decodeChunkLine(line, nodeChunkBase64);
        const fastReceiver = fast?.id == null ? undefined : receivers.get(fast.id);
        if (fast !== undefined && fast.id !== null && fastReceiver?.chunk) {
          fastReceiver.chunk(fast.bytes);
          continue;
        }
        if (fast !== undefined && fast.id !== null && fastReceiver === undefined) continue;
        const { id, message } = decodeMuxServerLine(line, context);
        if (id === null) throw errorFromWireText((message as { error?: string }).error, { socket: path });
        receivers.get(id)?.message(message);
      }
    } catch (error) {
      failAll(error instanceof BrokerError ? error : protocolError(path, 'unparsable multiplexed frame', false));
      socket.destroy();
    }
  });
  // The daemon ends a multiplexed connection when it shuts down: finish our side too.
  socket.on('end', () => {
    failAll(protocolError(path, 'connection closed by aivaultd', false));
    socket.end();
  });
  socket.on('close', () => failAll(protocolError(path, 'connection closed by aivaultd', false)));
  socket.write(encodeLine(MUX_HELLO));
  await ready;
  conn.update();
  return conn;
}
