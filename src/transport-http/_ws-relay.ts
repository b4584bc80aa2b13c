// `GET /aivault/ws` (transports.md §5): accept the upgrade, read the first message as the connect
// frame, let the core plan the upstream upgrade, then copy frames both ways until one side closes.
// The caller's upgrade headers (its Authorization, sec-websocket-*) never reach the upstream: the
// upstream request carries only the plan's headers.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { BrokerError, httpStatusOf, type CallerAuth, type ProxyService, type WebSocketPlan } from '../core/index.js';
import { callerAuth, clientAddress } from './_caller.js';
import { StatusError } from './_errors.js';

/** Opens the TLS connection to the planned upstream (same trust, dev-resolve and SSRF rules as the HTTP upstream). */
export type UpstreamSocketConnector = (target: { host: string; port: number; clientCertificate?: WebSocketPlan['clientCertificate'] }) => Promise<Socket>;

export interface WsRelayOptions {
  proxy: ProxyService;
  operatorDigest: Buffer;
  connectUpstream: UpstreamSocketConnector;
  /** Largest message either way, and largest connect frame. */
  maxMessageBytes: number;
  /** The connect frame must arrive this soon after the upgrade. */
  connectFrameTimeoutMs: number;
  /** The upstream's TLS + upgrade handshake must finish this soon. */
  upstreamHandshakeTimeoutMs: number;
}

export interface WsRelay {
  /** The HTTP server's `upgrade` handler for `/aivault/ws` (the caller checked the path). */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every caller's WebSocket with 1001 (going away); their upstreams follow. */
  closeAll(): void;
  /** Cuts whatever is left (the close grace ran out). */
  terminateAll(): void;
}

/** Bytes queued towards one side before the other side is paused. */
const HIGH_WATER_BYTES = 1024 * 1024;

export function createWsRelay(options: WsRelayOptions): WsRelay {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false, clientTracking: true });
  return {
    upgrade(request, socket, head) {
      let auth: CallerAuth;
      try {
        auth = callerAuth(request, options.operatorDigest);
      } catch (error) {
        return refuseUpgrade(socket, error instanceof StatusError ? error.status : 400, 'more than one Authorization header');
      }
      const clientIp = clientAddress(request);
      if (clientIp === undefined) return void socket.destroy();
      wss.handleUpgrade(request, socket, head, (client) => void relay(client, auth, clientIp, options).catch(() => client.terminate()));
    },
    closeAll() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
    },
    terminateAll() {
      for (const client of wss.clients) client.terminate();
    },
  };
}

/** A refusal of the upgrade itself, before any WebSocket exists: a plain HTTP reply, then the socket closes. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: 'invalid_request', message });
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncache-control: no-store\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  socket.end(head + body);
}

// --- internal ---

async function relay(client: WebSocket, auth: CallerAuth, clientIp: string, options: WsRelayOptions): Promise<void> {
  const abort = new AbortController();
  client.on('error', () => {}); // an oversized or malformed frame: ws closes the socket itself
  client.once('close', () => abort.abort());
  const early = holdMessages(client, options);
  const frame = await early.connectFrame;
  if (frame === null) return;
  let plan: WebSocketPlan;
  try {
    plan = await options.proxy.planWebSocket(auth, parseFrame(frame), { clientIp, transport: 'http', signal: abort.signal });
  } catch (error) {
    return refuse(client, error);
  }
  if (abort.signal.aborted) return;
  let upstream: WebSocket;
  try {
    upstream = await openUpstream(plan, options, abort.signal);
  } catch (error) {
    return refuse(client, error);
  }
  if (abort.signal.aborted) return void upstream.close(1001);
  pipe(upstream, client);
  for (const message of early.release()) upstream.send(message.data, { binary: message.isBinary });
  pipe(client, upstream);
  client.resume();
}

interface HeldMessages {
  /** The first message as text; `null` when the caller left or sent none in time (then closed 1008). */
  connectFrame: Promise<string | null>;
  /** Stops holding and hands over what arrived after the connect frame, in order. */
  release(): Array<{ data: Buffer; isBinary: boolean }>;
}

/**
 * Takes the first message as the connect frame and pauses the caller (more frames wait in TCP
 * until the upstream is open). ws still emits the frames it had already read with the connect
 * frame; those are held here, up to `maxMessageBytes` in all (beyond it: 1009).
 */
function holdMessages(client: WebSocket, options: WsRelayOptions): HeldMessages {
  const held: Array<{ data: Buffer; isBinary: boolean }> = [];
  let heldBytes = 0;
  let settle!: (frame: string | null) => void;
  const connectFrame = new Promise<string | null>((resolve) => (settle = resolve));
  let gotFrame = false;
  const timer = setTimeout(() => {
    refuse(client, new BrokerError({ code: 'invalid_request', message: 'no connect frame received' }));
    settle(null);
  }, options.connectFrameTimeoutMs);
  const onClose = () => (clearTimeout(timer), settle(null));
  const onMessage = (data: RawData, isBinary: boolean) => {
    const bytes = asBuffer(data);
    if (!gotFrame) {
      gotFrame = true;
      clearTimeout(timer);
      client.pause();
      return settle(bytes.toString('utf8'));
    }
    heldBytes += bytes.length;
    if (heldBytes > options.maxMessageBytes) return void client.close(1009, 'messages before the upstream opened exceed the cap');
    held.push({ data: bytes, isBinary });
  };
  client.on('message', onMessage);
  client.once('close', onClose);
  return {
    connectFrame,
    release() {
      client.removeListener('message', onMessage);
      client.removeListener('close', onClose);
      return held.splice(0);
    },
  };
}

function parseFrame(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's text quotes the input; it is never echoed.
    throw new BrokerError({ code: 'invalid_request', message: 'invalid connect frame JSON: frame is not valid JSON' });
  }
}

/**
 * One text message `{"error","message"}`, then close: 1008 (policy violation) for the caller's
 * errors (a 4xx code: bad frame, token, scope, method, rate limit), 1011 for the server's or the
 * upstream's (5xx).
 */
function refuse(client: WebSocket, error: unknown): void {
  if (client.readyState !== WebSocket.OPEN) return;
  client.resume(); // to read the caller's close frame; any message it sent meanwhile is dropped
  const broker = BrokerError.from(error);
  client.send(JSON.stringify(broker.toJSON()));
  client.close(httpStatusOf(broker) < 500 ? 1008 : 1011, broker.code);
}

/** The upstream upgrade with the plan's headers only; resolves once it is open. */
function openUpstream(plan: WebSocketPlan, options: WsRelayOptions, signal: AbortSignal): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of plan.headers) {
      const key = name.toLowerCase();
      headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    }
    let upstream: WebSocket;
    try {
      upstream = new WebSocket(plan.url, {
        headers,
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload: options.maxMessageBytes,
        handshakeTimeout: options.upstreamHandshakeTimeoutMs,
        createConnection: ((opts: { host: string; port: number | string }, done: (error: Error | null, socket?: Socket) => void) => {
          options.connectUpstream({ host: opts.host, port: Number(opts.port), ...(plan.clientCertificate ? { clientCertificate: plan.clientCertificate } : {}) }).then(
            (socket) => done(null, socket),
            (error: Error) => done(error),
          );
          return undefined;
        }) as never,
      });
    } catch (error) {
      // ws quotes the URL in its errors, and the URL may carry query auth.
      return reject(new BrokerError({ code: 'upstream_error', message: 'invalid upstream WebSocket URL', cause: error }));
    }
    const onAbort = () => upstream.terminate();
    signal.addEventListener('abort', onAbort, { once: true });
    upstream.once('unexpected-response', (_request, response) => {
      response.resume();
      upstream.terminate();
      reject(new BrokerError({ code: 'upstream_error', message: `upstream refused the WebSocket upgrade with HTTP ${response.statusCode ?? 0}` }));
    });
    // Stays attached: after the open, errors are followed by 'close', which `pipe` forwards.
    upstream.on('error', (error) => reject(upstreamFailure(error)));
    upstream.once('open', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(upstream);
    });
  });
}

/** SSRF refusals pass through; anything else names the errno at most (ws and node messages may quote the URL). */
function upstreamFailure(error: unknown): BrokerError {
  if (error instanceof BrokerError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason = typeof code === 'string' ? code : 'connection failed';
  return new BrokerError({ code: 'upstream_error', message: `error opening upstream WebSocket: ${reason}`, cause: error, details: typeof code === 'string' ? { errno: code } : {} });
}

/**
 * Copies `from`'s messages to `to` with their type (text stays text, binary stays binary), pauses
 * `from` while more than {@link HIGH_WATER_BYTES} wait to be written towards `to`, and forwards a
 * close: valid codes as they are, none when none was sent (1005), 1011 for an abnormal end (1006).
 */
function pipe(from: WebSocket, to: WebSocket): void {
  let queued = 0;
  const written = (size: number) => () => {
    queued -= size;
    if (queued <= HIGH_WATER_BYTES && from.isPaused) from.resume();
  };
  from.on('message', (data, isBinary) => {
    if (to.readyState !== WebSocket.OPEN) return;
    const bytes = asBuffer(data);
    queued += bytes.length;
    to.send(bytes, { binary: isBinary }, written(bytes.length));
    if (queued > HIGH_WATER_BYTES && !from.isPaused) from.pause();
  });
  from.on('error', () => {}); // followed by 'close'
  from.once('close', (code, reason) => {
    if (to.readyState === WebSocket.CLOSED || to.readyState === WebSocket.CLOSING) return;
    to.resume(); // paused by backpressure, it could not read the peer's close frame
    if (code === 1005) to.close();
    else if (isSendableCloseCode(code)) to.close(code, reason);
    else to.close(1011);
  });
}

/** Codes a close frame may carry (RFC 6455 §7.4; 1004-1006 and 1015 are reserved). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
