// A fake ProxyService that records every call, an HTTP server over it on a free loopback port,
// and a small raw HTTP client (node:http, so tests see chunks as they arrive).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { BrokerResponse, CallContext, CallerAuth, PassthroughRequest, ProxyService, ProxyTokenRecord, WebSocketPlan } from '../../src/core/index.js';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../src/transport-http/index.js';

export const OPERATOR = 'ab'.repeat(32);

export interface Recorded {
  op: 'mintToken' | 'invoke' | 'passthrough' | 'planWebSocket';
  auth: CallerAuth;
  input: unknown;
  ctx: CallContext;
  /** Passthrough body bytes, read by the fake. */
  body?: string | null;
}

export type FakeProxy = ProxyService & { calls: Recorded[] };

/** Every operation answers through `behave` (default: a 200 `ok` reply, or a record for mint). */
export function fakeProxy(behave: Partial<{ [K in Recorded['op']]: (call: Recorded) => Promise<unknown> }> = {}): FakeProxy {
  const calls: Recorded[] = [];
  const run = async (op: Recorded['op'], auth: CallerAuth, input: unknown, ctx: CallContext): Promise<unknown> => {
    // the envelope route passes a reader; like the core, only a proxy-class caller gets it called
    if (typeof input === 'function') input = auth.class === 'proxy' ? await (input as () => Promise<unknown>)() : null;
    const call: Recorded = { op, auth, input, ctx };
    if (op === 'passthrough') {
      const body = (input as PassthroughRequest).body;
      call.body = body === null ? null : await text(body);
    }
    calls.push(call);
    const handler = behave[op];
    if (handler !== undefined) return handler(call);
    if (op === 'mintToken') return { token: `avp_${'0'.repeat(32)}`, capabilities: ['a/b'], credential: null, expiresAtMs: 1, context: {} } satisfies ProxyTokenRecord;
    return reply(200, [{ name: 'content-type', value: 'text/plain' }], ['ok']);
  };
  return {
    calls,
    mintToken: (auth, input, ctx) => run('mintToken', auth, input, ctx) as Promise<ProxyTokenRecord>,
    invoke: (auth, input, ctx) => run('invoke', auth, input, ctx) as Promise<BrokerResponse>,
    passthrough: (auth, input, ctx) => run('passthrough', auth, input, ctx) as Promise<BrokerResponse>,
    planWebSocket: (auth, input, ctx) => run('planWebSocket', auth, input, ctx) as Promise<WebSocketPlan>,
  };
}

export function reply(status: number, headers: Array<{ name: string; value: string }>, chunks: Iterable<string> | AsyncIterable<Uint8Array>): BrokerResponse {
  const body = Symbol.asyncIterator in chunks ? chunks : (async function* () {
    for (const chunk of chunks as Iterable<string>) yield new TextEncoder().encode(chunk);
  })();
  return { planned: { capability: 'a/b', credential: 'c', method: 'GET', url: 'https://api.example/' }, status, headers, body };
}

export async function startHttp(proxy: ProxyService, options: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  return createHttpServer({ proxy, operatorToken: OPERATOR, port: 0, ...options });
}

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json(): unknown;
}

/** One request; `body` may be a string, bytes or chunks written one by one (chunked encoding). */
export function call(
  server: HttpServer,
  options: { method?: string; path: string; token?: string; headers?: Record<string, string>; body?: string | Uint8Array | string[] },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const req = httpRequest(`${server.url}${options.path}`, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: data, json: () => JSON.parse(data) as unknown }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(options.body)) for (const chunk of options.body) req.write(chunk);
    else if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** A promise with its resolver, to order events without sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Writes `raw` on a fresh TCP connection and returns everything read until the server closes. */
export function rawRequest(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (data += c));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}
