// Security review of the HTTP transport (Decision 15) over the real core services: what a caller
// without a valid token can make the server do, body caps, header handling both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHttpServer, type HttpServer } from '../../src/transport-http/index.js';
import { setup } from '../core/proxy/_setup.js';
import { call, OPERATOR } from './_harness.js';

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
