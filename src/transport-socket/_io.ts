// Socket write helpers with backpressure; rejecting once the peer is gone.
import type { Socket } from 'node:net';

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

/** Rust's text for the common errno codes (the original prints `io::Error`s). */
export const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory (os error 2)',
  EISDIR: 'Is a directory (os error 21)',
  EACCES: 'Permission denied (os error 13)',
  ECONNREFUSED: 'Connection refused (os error 111)',
  ENOTSOCK: 'Socket operation on non-socket (os error 88)',
  ENOTDIR: 'Not a directory (os error 20)',
  EPERM: 'Operation not permitted (os error 1)',
  ECONNRESET: 'Connection reset by peer (os error 104)',
  EPIPE: 'Broken pipe (os error 32)',
  EADDRINUSE: 'Address in use (os error 98)',
  ENAMETOOLONG: 'File name too long (os error 36)',
};

/** Rust-style reason text for the common errno codes (`Connection refused (os error 111)`). */
export function errnoReason(error: unknown): { reason: string; errno?: string } {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return { reason: error instanceof Error ? error.message : String(error) };
  const known = Object.hasOwn(ERRNO_TEXT, code) ? ERRNO_TEXT[code] : undefined;
  return { reason: known ?? code, errno: code };
}
