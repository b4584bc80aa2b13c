/**
 * The `aivaultd` unix-socket server: daemon.md §4 start-up (directory modes, stale-socket unlink,
 * chmod after bind), concurrent connections, a read timeout for silent peers, `--once`, a pid file
 * next to the socket, and a graceful `close()`. Transport authors import only from the core barrel.
 *
 * @see ../../shared/spec/daemon.md §4, §5; security.md §11
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmod, lstat, mkdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { linkSync, renameSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BrokerError, DEFAULT_READ_MAX_BYTES, type BrokerService } from '../core/protocol/index.js';
import { handleConnection, type ConnectionHandle } from './_connection.js';
import { errnoReason } from './_io.js';

export interface SocketServerOptions {
  service: BrokerService;
  path: string;
  /** Socket file mode after bind. @default 0o600 (callers pass 0o660 for `--shared`) */
  socketMode?: number;
  /** An explicit directory mode, applied to any parent (`AIVAULTD_SOCKET_DIR_MODE`, or 0o750 for `--shared`). */
  dirMode?: number;
  /** Directories that get the 0o700 default even when they already exist (`<root>/run`, `$AIVAULT_DIR/run`). */
  managedDirs?: readonly string[];
  /** Serve exactly one connection, then stop. @default false */
  once?: boolean;
  /** @default 16 MiB (Decision 18) */
  maxRequestBytes?: number;
  /** A peer that sends nothing for this long while its request is incomplete is dropped. @default 30 000 */
  readTimeoutMs?: number;
  /** In-flight work gets this long after `close()` before connections are destroyed. @default 10 000 */
  closeGraceMs?: number;
  /** Written after bind (mode 0600) so `aivault restart` stops exactly this daemon. @default `<path>.pid`; `false` for none */
  pidFile?: string | false;
  /** @default process.pid */
  pid?: number;
}

export interface SocketServer {
  readonly path: string;
  readonly pidFile: string | null;
  /** Settles when the server stopped (after `close()` or the `--once` connection); rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Stops accepting, finishes in-flight requests, removes the socket and pid files. */
  close(): Promise<void>;
  /** Connections currently open (for leak checks). */
  connectionCount(): number;
  /** Resolves once no connection is open. */
  idle(): Promise<void>;
}

/** Runs the start-up sequence; rejects with the error text `aivaultd` prints before exiting 1. */
export async function createSocketServer(options: SocketServerOptions): Promise<SocketServer> {
  const path = resolve(options.path);
  await prepareDirectory(path, options);
  try {
    await lstat(path);
    await unlink(path).catch((error: unknown) => {
      throw fatal(`failed removing stale socket '${path}'`, error);
    });
  } catch (error) {
    if (error instanceof BrokerError) throw error;
  }
  const connections = new Set<ConnectionHandle>();
  const sockets = new Set<Socket>();
  const idleWaiters: Array<() => void> = [];
  const connectionOptions = {
    service: options.service,
    maxRequestBytes: options.maxRequestBytes ?? DEFAULT_READ_MAX_BYTES,
    readTimeoutMs: options.readTimeoutMs ?? 30_000,
  };
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((res, rej) => (settle = { resolve: res, reject: rej }));
  done.catch(() => {});
  let closing: Promise<void> | null = null;
  let onceError: BrokerError | null = null;

  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    // --once stops accepting at its first connection but leaves the socket file (daemon.md §4 step 7).
    if (options.once === true) keepingPath(path, `${path}.${process.pid}.keep`, () => server.close());
    sockets.add(socket);
    const handle = handleConnection(socket, connectionOptions);
    connections.add(handle);
    handle.done
      .then(
        () => options.once === true && void close(),
        (error: unknown) => {
          socket.destroy();
          if (options.once !== true) return;
          onceError = fatal('aivaultd connection failed', error);
          void close();
        },
      )
      .finally(() => connections.delete(handle));
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const waiter of idleWaiters.splice(0)) waiter();
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (error) => rej(fatal(`failed binding aivaultd socket '${path}'`, error)));
    server.listen(path, () => res());
  });
  server.on('error', (error) => settle.reject(fatal('aivaultd accept failed', error)));
  await chmod(path, options.socketMode ?? 0o600).catch(() => {});
  const socketIno = (await stat(path)).ino;
  const pidFile = options.pidFile === false ? null : resolve(options.pidFile ?? `${path}.pid`);
  const pid = options.pid ?? process.pid;
  if (pidFile !== null) await writeFile(pidFile, `${pid}\n`, { mode: 0o600 }).catch(() => {});

  const idle = (): Promise<void> => (sockets.size === 0 ? Promise.resolve() : new Promise((res) => idleWaiters.push(res)));
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Synchronous on purpose: stop accepting at once. libuv unlinks the socket path on close, so a
      // socket another daemon took over (stale-socket takeover) is kept through a hard link.
      const stillOurs = statOrNull(path)?.ino === socketIno;
      const grace = setTimeout(() => sockets.forEach((s) => s.destroy()), options.closeGraceMs ?? 10_000);
      // server.close() calls back only when every connection is gone.
      let stopped!: Promise<void>;
      const stop = () => (stopped = new Promise<void>((res) => (server.listening ? server.close(() => res()) : res())));
      if (stillOurs) stop();
      else keepingPath(path, `${path}.${pid}.keep`, stop);
      for (const handle of connections) handle.shutdown();
      await stopped;
      await Promise.allSettled([...connections].map((c) => c.done));
      await idle();
      clearTimeout(grace);
      if (pidFile !== null && (await readFile(pidFile, 'utf8').catch(() => '')) === `${pid}\n`) await rm(pidFile, { force: true });
      if (onceError === null) settle.resolve();
      else settle.reject(onceError);
    })());

  return { path, pidFile, done, close, idle, connectionCount: () => sockets.size };
}

// --- internal ---

/** daemon.md §4 steps 1-2: create the parent; chmod it only when explicit, managed or new. */
async function prepareDirectory(path: string, options: SocketServerOptions): Promise<void> {
  const dir = dirname(path);
  const existed = await stat(dir).then((s) => s.isDirectory(), () => false);
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw fatal(`failed creating socket directory '${dir}'`, error);
  });
  const managed = (options.managedDirs ?? []).some((m) => resolve(m) === dir);
  const mode = options.dirMode ?? (managed || !existed ? 0o700 : undefined);
  if (mode !== undefined) await chmod(dir, mode).catch(() => {});
}

/** Runs `fn` (which makes libuv unlink `path`) with `path` kept alive through a hard link. */
function keepingPath(path: string, guard: string, fn: () => void): void {
  let linked = false;
  ignore(() => {
    linkSync(path, guard);
    linked = true;
  });
  try {
    fn();
  } finally {
    if (linked) ignore(() => renameSync(guard, path));
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function ignore(fn: () => void): void {
  try {
    fn();
  } catch {
    // best effort
  }
}

function fatal(what: string, error: unknown): BrokerError {
  return new BrokerError({ code: 'daemon_error', message: `${what}: ${errnoReason(error).reason}`, cause: error });
}
