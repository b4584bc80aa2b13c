/**
 * The production `UpstreamPort` on undici@7: a keep-alive pool per origin (and per mTLS client
 * identity), raw bytes (no decompression, no added `accept-encoding` or `user-agent`), redirects
 * never followed, and the SSRF deny list applied to the address actually dialled (Decision 11).
 * Transport authors import only from the core barrel.
 *
 * @see ../../shared/spec/broker.md §10.1, security.md §4.3-§4.5, spec/README.md Decisions 11, 12, 16
 */
import type { Agent, buildConnector as BuildConnector, Dispatcher } from 'undici';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { BrokerError, SSRF_BLOCKED_MESSAGE, isBlockedAddress, type UpstreamPort, type UpstreamRequest } from '../core/index.js';

export interface DevResolveTarget {
  ip: string;
  port: number;
}

export interface UndiciUpstreamOptions {
  /** `AIVAULT_DEV_RESOLVE`: lower-cased host to the address and port dialled; such hosts skip the connect-time SSRF check. */
  resolve?: ReadonlyMap<string, DevResolveTarget>;
  /** `AIVAULT_DEV_CA_CERT_PATH` contents, trusted in addition to the default roots. */
  extraCaPem?: readonly string[];
  /** Negotiate HTTP/2 via ALPN. `AIVAULT_DEV_HTTP1_ONLY` forces `false`. @default false */
  allowH2?: boolean;
  /** Name resolution (tests inject one). @default node's `dns.lookup` with `all: true` */
  lookup?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
  /** @default 10 000 */
  connectTimeoutMs?: number;
  /** Idle pooled connections are closed after this long. @default 30 000 */
  keepAliveTimeoutMs?: number;
}

export type UndiciUpstream = UpstreamPort & { close(): Promise<void> };

/** `PolicyViolation: upstream host blocked by SSRF guard`. */
export const ssrfBlocked = (): BrokerError => new BrokerError({ code: 'policy_violation', message: SSRF_BLOCKED_MESSAGE });

export function createUndiciUpstream(options: UndiciUpstreamOptions = {}): UndiciUpstream {
  const { Agent, buildConnector, request: send } = undiciParts();
  const resolveMap = options.resolve ?? new Map<string, DevResolveTarget>();
  const resolveName = options.lookup ?? ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true }));
  const ca = trustedCa(options.extraCaPem);
  const makeAgent = (identity?: ClientIdentity) => {
    // One secure context per agent: built per connection, adding the CA list costs ~20 ms of CPU.
    const secureContext = upstreamSecureContext(ca, identity);
    return new Agent({
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      allowH2: options.allowH2 ?? false,
      connect: guardedConnector(
        buildConnector({
          ...(secureContext ? { secureContext } : {}),
          allowH2: options.allowH2 ?? false,
          timeout: options.connectTimeoutMs ?? 10_000,
          lookup: guardedLookup(resolveName),
        }),
        resolveMap,
      ),
    });
  };
  const shared = makeAgent();
  const identities = new Map<string, Agent>();

  const upstream = async (request: UpstreamRequest) => {
    const id = request.clientCertificate;
    let agent = shared;
    if (id !== undefined) {
      agent = identities.get(id.poolKey) ?? makeAgent(id);
      identities.set(id.poolKey, agent);
    }
    const url = new URL(request.url);
    const headers: string[] = [];
    // undici refuses `Expect` (it does not implement 100-continue); the request goes out without it.
    for (const [name, value] of request.headers) if (name.toLowerCase() !== 'expect') headers.push(name, value);
    if (!request.headers.some(([name]) => name.toLowerCase() === 'accept')) headers.push('accept', '*/*');
    let response: Dispatcher.ResponseData;
    try {
      response = await send(agent, {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method as 'GET',
        headers,
        body: request.body === null || request.body instanceof Uint8Array ? request.body : Readable.from(request.body),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      throw upstreamFailure(error);
    }
    const responseHeaders: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(response.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.push([name.toLowerCase(), v]);
    }
    return { status: response.statusCode, headers: responseHeaders, body: rawBody(response.body) };
  };
  return Object.assign(upstream, {
    close: async () => {
      await Promise.all([shared, ...identities.values()].map((a) => a.close()));
    },
  });
}

// --- internal ---

interface UndiciParts {
  Agent: typeof Agent;
  buildConnector: typeof BuildConnector;
  request(agent: Agent, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
}

let parts: UndiciParts | null = null;

/**
 * The three undici modules this port uses, required one by one: undici's index also loads fetch,
 * WebSocket, EventSource, the mocks, caches and interceptors, ~9 MB of resident memory in every
 * daemon and in-process broker that never use them. `request` is undici's own `Dispatcher#request`
 * (the index installs it on the prototype; here it is called on the agent, nothing is patched).
 * If a future undici moves these files, the index is loaded instead.
 */
function undiciParts(): UndiciParts {
  if (parts !== null) return parts;
  const load = createRequire(import.meta.url);
  try {
    const agent = load('undici/lib/dispatcher/agent.js') as unknown;
    const connector = load('undici/lib/core/connect.js') as unknown;
    const request = load('undici/lib/api/api-request.js') as unknown;
    if (typeof agent === 'function' && typeof connector === 'function' && typeof request === 'function') {
      return (parts = {
        Agent: agent as typeof Agent,
        buildConnector: connector as typeof BuildConnector,
        request: (target, options) => (request as (this: Agent, o: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>).call(target, options),
      });
    }
  } catch {
    // fall through to the index
  }
  const undici = load('undici') as typeof import('undici');
  return (parts = { Agent: undici.Agent, buildConnector: undici.buildConnector, request: (target, options) => target.request(options) });
}

export interface ClientIdentity {
  certPem: string;
  keyPem: string;
}

/** The default roots plus `AIVAULT_DEV_CA_CERT_PATH`'s certificates; `undefined` (the defaults) when there are none. */
export function trustedCa(extraCaPem: readonly string[] | undefined): string[] | undefined {
  return extraCaPem && extraCaPem.length > 0 ? [...rootCertificates, ...extraCaPem] : undefined;
}

/** A secure context for the extra CA and/or an mTLS identity; `undefined` when Node's default one will do. */
export function upstreamSecureContext(ca: string[] | undefined, identity?: ClientIdentity): SecureContext | undefined {
  if (ca === undefined && identity === undefined) return undefined;
  return createSecureContext({ ...(ca ? { ca } : {}), ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}) });
}

/**
 * How to dial `hostname` (Decision 11): a dev-resolved host goes to its mapped address with no
 * SSRF check (its SNI and Host stay the name); otherwise `literal` is the host without IPv6
 * brackets, and `blocked` says an IP literal is on the deny list (refused before dialling).
 */
export function dialRule(hostname: string, resolveMap: ReadonlyMap<string, DevResolveTarget>): { host: string; override: DevResolveTarget | undefined; literal: string; blocked: boolean } {
  const host = hostname.toLowerCase();
  const override = resolveMap.get(host);
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  return { host, override, literal, blocked: override === undefined && isIP(literal) !== 0 && isBlockedAddress(literal) };
}

/** Dev-resolved hosts dial the named address/port (URL and Host unchanged); IP-literal hosts are checked up front. */
function guardedConnector(base: BuildConnector.connector, resolveMap: ReadonlyMap<string, DevResolveTarget>): BuildConnector.connector {
  return (opts, callback) => {
    const { host, override, blocked } = dialRule(opts.hostname, resolveMap);
    if (override !== undefined) {
      return base({ ...opts, hostname: override.ip, port: String(override.port), servername: opts.servername ?? host }, callback);
    }
    if (blocked) return callback(ssrfBlocked(), null);
    base(opts, (error, socket) => {
      if (error) return callback(error, null);
      // Defence in depth: the peer actually connected to.
      const remote = (socket as Socket).remoteAddress;
      if (remote !== undefined && isBlockedAddress(remote)) {
        socket.destroy();
        return callback(ssrfBlocked(), null);
      }
      callback(null, socket);
    });
  };
}

/** A `net` lookup that refuses a name when any resolved address is on the deny list (DNS-rebinding guard). */
export function guardedLookup(resolveName: NonNullable<UndiciUpstreamOptions['lookup']>): LookupFunction {
  return (hostname, options, callback) => {
    resolveName(hostname).then(
      (addresses) => {
        const family = typeof options === 'object' && options.family ? Number(options.family) : 0;
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        if (addresses.some((a) => isBlockedAddress(a.address))) return callback(ssrfBlocked() as unknown as NodeJS.ErrnoException, '', 4);
        if (usable.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
        if (typeof options === 'object' && options.all) return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}

async function* rawBody(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw upstreamFailure(error);
  }
}

/** SSRF refusals and aborts pass through; anything else is an `upstream_error` that names no URL. */
function upstreamFailure(error: unknown): unknown {
  const root = findBrokerError(error);
  if (root !== undefined) return root;
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new BrokerError({ code: 'upstream_error', message: `error sending request: ${reason}`, cause: error, details: typeof code === 'string' ? { errno: code } : {} });
}

function findBrokerError(error: unknown): BrokerError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof BrokerError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
