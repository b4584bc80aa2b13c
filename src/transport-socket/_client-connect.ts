// Opening a client connection with the error classes of daemon.md §5.7.
import { createConnection, type Socket } from 'node:net';
import { once } from 'node:events';
import { BrokerError, connectError } from '../core/protocol/index.js';
import { errnoReason } from './_io.js';

export const cancelledError = (): BrokerError => new BrokerError({ code: 'cancelled', message: 'operation cancelled' });

/** Connects (half-open allowed); a failure is the `connect` class, an aborted signal `cancelled`. */
export async function connectSocket(path: string, signal?: AbortSignal): Promise<Socket> {
  if (signal?.aborted) throw cancelledError();
  const socket = createConnection({ path, allowHalfOpen: true });
  const onAbort = () => socket.destroy(cancelledError());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await once(socket, 'connect');
  } catch (error) {
    socket.destroy();
    if (signal?.aborted) throw cancelledError();
    const { reason, errno } = errnoReason(error);
    throw connectError(path, reason, errno);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  socket.on('error', () => {});
  return socket;
}

/** Destroys the socket when the signal aborts; returns the un-register function. */
export function abortOnSignal(socket: Socket, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return () => {};
  const onAbort = () => socket.destroy(cancelledError());
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
