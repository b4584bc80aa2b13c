// Security review of the HTTP transport (Decision 15) over the real core services: what a caller
// without a valid token can make the server do, body caps, header handling both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHttpServer, type HttpServer } from '../../src/transport-http/index.js';
import { SECRET, setup } from '../core/proxy/_setup.js';
import { call, OPERATOR, rawRequest } from './_harness.js';

type Env = Awaited<ReturnType<typeof setup>> & { server: HttpServer };

async function serve(input: Parameters<typeof setup>[0] = {}, maxRequestBytes?: number): Promise<Env> {
  const env = await setup(input);
  const server = await createHttpServer({ proxy: env.proxy, operatorToken: OPERATOR, port: 0, ...(maxRequestBytes === undefined ? {} : { maxRequestBytes }) });
  return { ...env, server };
}

/** Sends `head` (no body) and resolves with the response head; fails if the server waits for the body. */
function headOnly(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      data += c;
      if (data.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
  });
}

test('a forged bearer on POST /aivault/proxy is refused before its body is read', { timeout: 10_000 }, async () => {
  const env = await serve();
  try {
    const head = `POST /aivault/proxy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer avp_${'f'.repeat(32)}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`;
    const answer = await headOnly(env.server.address.port, head);
    assert.match(answer, /^HTTP\/1\.1 401 /);
  } finally {
    await env.server.close();
  }
});

test('a passthrough body is capped at maxRequestBytes (413, connection closed) when the capability sets no size limit', async () => {
  const env = await serve({}, 1024);
  try {
    const token = (await env.mint({ capabilities: ['acme/users'] })).token;
    const chunked = await call(env.server, { method: 'POST', path: '/v/acme/v2/users', token, body: ['x'.repeat(1000), 'y'.repeat(1000)] });
    assert.equal(chunked.status, 413);
    assert.deepEqual(chunked.json(), { error: 'invalid_request', message: 'request exceeds 1024 bytes' });
    assert.equal(chunked.headers.connection, 'close');
    const declared = await call(env.server, { method: 'POST', path: '/v/acme/v2/users', token, body: 'z'.repeat(2000) });
    assert.equal(declared.status, 413);
    assert.equal(env.mock.requests.length, 0);
    const small = await call(env.server, { method: 'POST', path: '/v/acme/v2/users', token, body: 'ok' });
    assert.equal(small.status, 200);
  } finally {
    await env.server.close();
  }
});

test('more than one Authorization header is refused (400) before any route runs', async () => {
  const env = await serve();
  try {
    const body = JSON.stringify({ capabilities: ['acme/users'], ttlMs: 1000 });
    const raw = `POST /aivault/tokens/proxy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OPERATOR}\r\nAuthorization: Bearer avp_${'0'.repeat(32)}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const answer = await rawRequest(env.server.address.port, raw);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /\{"error":"invalid_request","message":"more than one Authorization header"\}$/);
    assert.equal(env.tokens.size(), 0);
  } finally {
    await env.server.close();
  }
});

test('passthrough drops hop-by-hop request headers: Expect, Proxy-Connection and the names Connection lists', async () => {
  const env = await serve();
  try {
    const token = (await env.mint({ capabilities: ['acme/users'] })).token;
    const raw = `POST /v/acme/v2/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nExpect: 100-continue\r\nProxy-Connection: keep-alive\r\nConnection: close, X-Hop\r\nX-Hop: secret-of-the-hop\r\nX-Kept: 1\r\nContent-Length: 2\r\n\r\n{}`;
    const answer = await rawRequest(env.server.address.port, raw);
    assert.match(answer, /HTTP\/1\.1 200 /);
    const names = env.mock.requests[0]!.headers.map(([name]) => name.toLowerCase());
    assert.ok(names.includes('x-kept'), names.join());
    assert.deepEqual(answer.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 100', 'HTTP/1.1 200']);
    for (const dropped of ['expect', 'proxy-connection', 'x-hop', 'connection']) assert.ok(!names.includes(dropped), dropped);
    // the broker's credential, never the caller's proxy token
    assert.equal(env.mock.header(0, 'authorization'), `Bearer ${SECRET}`);
  } finally {
    await env.server.close();
  }
});

test('an error answered before the request body was read closes the connection (no draining an endless body)', { timeout: 10_000 }, async () => {
  const env = await serve();
  try {
    const head = `PUT /v/acme/v2/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer avp_${'f'.repeat(32)}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const answer = await headOnly(env.server.address.port, head);
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
  } finally {
    await env.server.close();
  }
});
