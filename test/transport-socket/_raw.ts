// Raw wire helpers: talk to the daemon byte by byte, or play a misbehaving daemon.
import { createConnection, createServer, type Server } from 'node:net';
import { once } from 'node:events';

/** Connects, writes `request`, half-closes, and resolves with everything the daemon sent. */
export async function rawExchange(path: string, request: string | Uint8Array): Promise<string> {
  const socket = createConnection({ path, allowHalfOpen: true });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  socket.end(request);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

/** A fake daemon that answers every connection with `reply` once the request is complete. */
export async function startFakeDaemon(path: string, reply: string | ((request: string) => string)): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => socket.end(typeof reply === 'string' ? reply : reply(Buffer.concat(chunks).toString('utf8'))));
  });
  server.listen(path);
  await once(server, 'listening');
  return server;
}

export const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
