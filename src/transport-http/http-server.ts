/**
 * The HTTP transport of Decision 15 (`aivaultd --http`): envelope calls, passthrough routes,
 * proxy-token minting and the WebSocket relay over `node:http` (and `ws`), bound to loopback unless `allowRemote`. Every handler
 * translates and calls the `ProxyService`; the client address is the connection's. Transport
 * authors import only from the core barrel.
 *
 * @see ../../../shared/spec/transports.md §2-§9, security.md §10, spec/README.md Decision 15
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { BrokerError, DEFAULT_READ_MAX_BYTES, knownOsErrorText, type ProxyService } from '../core/index.js';
import { callerAuth, clientAddress, digest } from './_caller.js';
import { routeError, sendError, StatusError } from './_errors.js';
import { findRoute, type RouteCall } from './_routes.js';
import { createWsRelay, refuseUpgrade, type UpstreamSocketConnector } from './_ws-relay.js';
import { baseUrlFor, DEFAULT_HTTP_HOST, isLoopbackAddress, type ListenAddress } from './listen-address.js';

export interface HttpServerOptions {
  proxy: ProxyService;
  /** The operator bearer (`<root>/run/operator.token`); any other bearer is a proxy token. */
  operatorToken: string;
  /** An IP literal. @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port (read it from `address`). */
  port: number;
  /** Allow a non-loopback `host`. @default false */
  allowRemote?: boolean;
  /** Cap of JSON bodies (envelope, mint). @default 16 MiB, as the socket */
  maxRequestBytes?: number;
  /** In-flight responses get this long after `close()` before connections are destroyed. @default 10 000 */
  closeGraceMs?: number;
  /** For `Retry-After`. @default Date.now */
  now?: () => number;
  /**
   * Opens the TLS connection to a planned WebSocket upstream (`createNodeUpstreamSocketConnector`
   * from `aivault/inproc` applies the undici upstream's trust, dev-resolve and SSRF rules).
   * Without it `GET /aivault/ws` answers 501. @default undefined
   */
  connectUpstream?: UpstreamSocketConnector;
  /** Largest WebSocket message relayed either way (and largest connect frame). @default 16 MiB */
  maxWebSocketMessageBytes?: number;
  /** The WebSocket connect frame and the upstream's upgrade must each arrive this soon. @default 10 000 */
  webSocketHandshakeTimeoutMs?: number;
}

export interface HttpServer {
  /** The bound address (the real port when 0 was asked for). */
  readonly address: ListenAddress;
  /** `http://127.0.0.1:<port>`: what callers get as `AIVAULT_BASE_URL`. */
  readonly url: string;
  /** Settles once closed; rejects on a fatal server error. */
  readonly done: Promise<void>;
  /** Stops accepting, lets in-flight responses finish (up to the grace), then closes. */
  close(): Promise<void>;
  connectionCount(): number;
}

/** Binds and serves; rejects with the text `aivaultd` prints when the address is refused or taken. */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? DEFAULT_HTTP_HOST;
  if (options.allowRemote !== true && !isLoopbackAddress(host)) {
    throw new BrokerError({ code: 'daemon_error', message: `refusing to serve HTTP on non-loopback address '${host}' without --allow-remote` });
  }
  if (options.operatorToken.length === 0) throw new BrokerError({ code: 'daemon_error', message: 'operator token is empty' });
  const operatorDigest = digest(options.operatorToken);
  const now = options.now ?? Date.now;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_READ_MAX_BYTES;
  let closing: Promise<void> | null = null;

  const server = createServer((request, response) => {
    if (closing !== null) response.setHeader('connection', 'close');
    void serve(request, response).catch((error: unknown) => sendError(response, error, now));
  });
  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const clientIp = clientAddress(request);
    if (clientIp === undefined) return void response.destroy();
    const target = request.url ?? '';
    if (!target.startsWith('/')) throw new StatusError(400, routeError('request target must be a path'));
    const route = findRoute(target.split('?', 1)[0]!);
    if (route === undefined) throw new StatusError(404, routeError('no such route'));
    const method = request.method ?? 'GET';
    if (route.methods !== 'any' && !route.methods.includes(method)) {
      throw new StatusError(405, routeError(`method ${method} is not allowed on this route`), { allow: route.methods.join(', ') });
    }
    // A caller that hangs up cancels its upstream call.
    const abort = new AbortController();
    response.once('close', () => response.writableFinished || abort.abort());
    const call: RouteCall = {
      request,
      response,
      auth: callerAuth(request, operatorDigest),
      ctx: { clientIp, transport: 'http', signal: abort.signal },
      proxy: options.proxy,
      maxRequestBytes,
      webSocketRelay: relay !== undefined,
    };
    await route.handle(call);
  }

  const relay =
    options.connectUpstream === undefined
      ? undefined
      : createWsRelay({
          proxy: options.proxy,
          operatorDigest,
          connectUpstream: options.connectUpstream,
          maxMessageBytes: options.maxWebSocketMessageBytes ?? DEFAULT_READ_MAX_BYTES,
          connectFrameTimeoutMs: options.webSocketHandshakeTimeoutMs ?? 10_000,
          upstreamHandshakeTimeoutMs: options.webSocketHandshakeTimeoutMs ?? 10_000,
        });
  // With a listener node hands every `Upgrade` request here, whatever its path: only the
  // WebSocket route upgrades; any other (an `h2c` upgrade, say) is refused rather than served.
  if (relay !== undefined) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {});
      if (closing !== null) return refuseUpgrade(socket, 503, 'server is shutting down');
      if ((request.url ?? '').split('?', 1)[0] !== '/aivault/ws') return refuseUpgrade(socket, 400, 'protocol upgrades are served only on /aivault/ws');
      if (request.method !== 'GET') return refuseUpgrade(socket, 405, `method ${request.method ?? ''} is not allowed on this route`);
      relay.upgrade(request, socket, head);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(bindError(host, options.port, error)));
    server.listen({ host, port: options.port, exclusive: true }, () => resolve());
  });
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((res, rej) => (settle = { resolve: res, reject: rej }));
  done.catch(() => {});
  server.on('error', (error) => settle.reject(new BrokerError({ code: 'daemon_error', message: 'aivaultd HTTP accept failed', cause: error })));
  const bound = server.address();
  const address = { host, port: typeof bound === 'object' && bound !== null ? bound.port : options.port };

  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      relay?.closeAll();
      const grace = setTimeout(() => (server.closeAllConnections(), relay?.terminateAll()), options.closeGraceMs ?? 10_000);
      server.close(() => {
        clearTimeout(grace);
        settle.resolve();
        resolve();
      });
      server.closeIdleConnections();
    }));
  let open = 0;
  server.on('connection', (socket) => {
    open += 1;
    socket.once('close', () => (open -= 1));
  });
  return { address, url: baseUrlFor(address), done, close, connectionCount: () => open };
}

// --- internal ---

function bindError(host: string, port: number, error: unknown): BrokerError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason = knownOsErrorText(error) ?? (typeof code === 'string' ? code : 'bind failed');
  return new BrokerError({ code: 'daemon_error', message: `failed binding aivaultd HTTP listener '${baseUrlFor({ host, port })}': ${reason}`, cause: error });
}
