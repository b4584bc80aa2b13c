// The route table of transports.md §3-§6: which handler serves which path and methods. Handlers
// only translate: the core decides every policy question (token scope, loopback, size policy).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallContext, CallerAuth, EnvelopeHeader, ProxyService } from '../core/index.js';
import { readJsonBody, requestBodyStream, tooLarge } from './_body.js';
import { routeError, sendJson, StatusError } from './_errors.js';
import { sendBrokerResponse } from './_reply.js';

export interface RouteCall {
  request: IncomingMessage;
  response: ServerResponse;
  auth: CallerAuth;
  ctx: CallContext;
  proxy: ProxyService;
  maxRequestBytes: number;
  /** The server relays WebSockets (it was given an upstream connector). */
  webSocketRelay: boolean;
}

export interface Route {
  methods: readonly string[] | 'any';
  handle(call: RouteCall): Promise<void>;
}

/** Finds the route for a request path (without its query). `undefined` is a 404. */
export function findRoute(pathname: string): Route | undefined {
  if (pathname.startsWith('/v/')) return PASSTHROUGH;
  return EXACT[pathname];
}

// --- internal ---

/** `POST /aivault/proxy`: a proxy envelope, answered with the upstream's status, headers and streamed body. */
const ENVELOPE: Route = {
  methods: ['POST'],
  async handle({ request, response, auth, ctx, proxy, maxRequestBytes }) {
    // The core reads the body only after the token checks out: a forged bearer buffers nothing.
    await sendBrokerResponse(response, await proxy.invoke(auth, () => readJsonBody(request, maxRequestBytes), ctx));
  },
};

/**
 * `/v/{credential}/...`, any method: the raw route (with its query), caller headers and body. The
 * body is capped at `maxRequestBytes` like the JSON routes (a capability's own limit, when lower,
 * is the core's 403).
 */
const PASSTHROUGH: Route = {
  methods: 'any',
  async handle({ request, response, auth, ctx, proxy, maxRequestBytes }) {
    const body = requestBodyStream(request, maxRequestBytes);
    let reply;
    try {
      reply = await proxy.passthrough(auth, { method: request.method ?? 'GET', route: request.url ?? '', headers: callerHeaders(request), body: body.stream }, ctx);
    } catch (error) {
      throw body.exceeded() ? tooLarge(maxRequestBytes) : error;
    }
    await sendBrokerResponse(response, reply);
  },
};

/**
 * `POST /aivault/tokens/proxy` (operator): the full stored record (token, capabilities,
 * credential, expiresAtMs, context), a superset of §6.1's `{token, expiresAtMs}`.
 */
const MINT: Route = {
  methods: ['POST'],
  async handle({ request, response, auth, ctx, proxy, maxRequestBytes }) {
    const input = auth.class === 'operator' ? await readJsonBody(request, maxRequestBytes) : null;
    const record = await proxy.mintToken(auth, input, ctx);
    sendJson(response, 200, record, { 'cache-control': 'no-store' });
  },
};

/**
 * `GET /aivault/ws` without an upgrade: 426 when the server relays WebSockets (the upgrade itself
 * is served by `_ws-relay.ts`), else 501 (a server built without an upstream connector).
 */
const WEBSOCKET: Route = {
  methods: ['GET'],
  handle({ webSocketRelay }) {
    if (webSocketRelay) return Promise.reject(new StatusError(426, routeError('GET /aivault/ws needs a WebSocket upgrade'), { upgrade: 'websocket', connection: 'upgrade' }));
    return Promise.reject(new StatusError(501, routeError('WebSocket relay is not available in this build of aivaultd (GET /aivault/ws)')));
  },
};

const EXACT: Record<string, Route> = {
  '/aivault/proxy': ENVELOPE,
  '/aivault/tokens/proxy': MINT,
  '/aivault/ws': WEBSOCKET,
};

/**
 * Hop-by-hop names the core's reserved set does not cover: `Expect` (this server answers
 * `100-continue` itself; the upstream client refuses the header), `Proxy-Connection`, and
 * every name the caller's `Connection` header lists (RFC 9110 §7.6.1).
 */
const HOP_BY_HOP = ['expect', 'proxy-connection', 'http2-settings'];

/**
 * The caller's headers in wire order, minus `Authorization` (the aivault token, consumed here;
 * it must never reach an upstream) and this hop's own headers. The core drops the rest of the
 * reserved names and refuses auth-class ones.
 */
function callerHeaders(request: IncomingMessage): EnvelopeHeader[] {
  const connection = String(request.headers.connection ?? '').split(',').map((n) => n.trim().toLowerCase());
  const dropped = new Set(['authorization', ...HOP_BY_HOP, ...connection.filter((n) => n !== '')]);
  const headers: EnvelopeHeader[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!dropped.has(name.toLowerCase())) headers.push({ name, value: raw[i + 1]! });
  }
  return headers;
}
