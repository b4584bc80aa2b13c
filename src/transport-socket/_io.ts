// Socket write helpers with backpressure; rejecting once the peer is gone.
import type { Socket } from 'node:net';
import { knownOsErrorText } from '../core/protocol/index.js';

/** Writes and waits for `drain` when the buffer is full; rejects when the socket closes first. */
export function writeBytes(socket: Socket, bytes: Uint8Array): Promise<void> {
  if (socket.destroyed || socket.writableEnded) return Promise.reject(new Error('socket closed'));
  if (socket.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('socket closed'));
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

/** Ends the write side after `bytes`; never throws. */
export function endWith(socket: Socket, bytes?: Uint8Array): void {
  if (socket.destroyed || socket.writableEnded) return;
  if (bytes === undefined) socket.end();
  else socket.end(bytes);
}


/** Rust-style reason text for the common errno codes (`Connection refused (os error 111)`). */
export function errnoReason(error: unknown): { reason: string; errno?: string } {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return { reason: error instanceof Error ? error.message : String(error) };
  return { reason: knownOsErrorText(error) ?? code, errno: code };
}
