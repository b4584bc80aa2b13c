// Bodies in both directions: the reply streams as the upstream produces it (proved with events,
// not timing), a reader that stops reading stops the server pulling (byte counts), a caller that
// hangs up cancels the call, and JSON bodies are capped like the socket's requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { CallContext } from '../../src/core/index.js';
import { call, deferred, fakeProxy, OPERATOR, reply, startHttp } from './_harness.js';

test('the first chunk reaches the caller before the upstream body ends', async () => {
  const secondMayCome = deferred();
  const proxy = fakeProxy({
    invoke: async () =>
      reply(200, [{ name: 'content-type', value: 'text/event-stream' }], (async function* () {
        yield new TextEncoder().encode('data: one\n\n');
        await secondMayCome.promise; // only released once the caller holds the first chunk
        yield new TextEncoder().encode('data: two\n\n');
      })()),
  });
  const server = await startHttp(proxy);
  try {
    const chunks: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/aivault/proxy`, { method: 'POST', headers: { authorization: 'Bearer avp_t' }, agent: false }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          chunks.push(chunk);
          if (chunks.length === 1) secondMayCome.resolve();
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{}');
    });
    await done;
    assert.deepEqual(chunks, ['data: one\n\n', 'data: two\n\n']);
  } finally {
    await server.close();
  }
});

const CHUNK = 64 * 1024;
/** Far more than loopback TCP buffers hold: without backpressure the server reads it all at once. */
const TOTAL = 256 * 1024 * 1024;
/** Kernel send and receive buffers (autotuned) plus Node's write buffer. */
const MAX_AHEAD = 24 * 1024 * 1024;

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function readMore(socket: Socket, received: { bytes: number }, bytes: number): Promise<void> {
  const target = received.bytes + bytes;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received.bytes += chunk.length;
      if (received.bytes < target) return;
      socket.pause();
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.resume();
  });
}

test('a reader that stops reading stops the server pulling the upstream body; hanging up cancels the call', async () => {
  let pulled = 0;
  const released = deferred();
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  let ctx: CallContext | undefined;
  const proxy = fakeProxy({
    passthrough: async (recorded) => {
      ctx = recorded.ctx;
      return reply(200, [{ name: 'content-type', value: 'application/octet-stream' }], (async function* () {
        try {
          while (pulled < TOTAL) {
            pulled += CHUNK;
            yield chunk;
          }
        } finally {
          released.resolve();
        }
      })());
    },
  });
  const server = await startHttp(proxy);
  const socket = connect(server.address.port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.pause();
    socket.write('GET /v/acme/v1/big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer avp_t\r\n\r\n');
    const received = { bytes: 0 };
    for (let round = 0; round < 4; round++) {
      await turns(50);
      const ahead = pulled - received.bytes;
      assert.ok(ahead <= MAX_AHEAD, `round ${round}: the server pulled ${ahead} bytes ahead of the reader`);
      await readMore(socket, received, 1024 * 1024);
    }
    assert.ok(pulled < TOTAL / 4, `the server pulled ${pulled} of ${TOTAL} bytes`);
    socket.destroy();
    await released.promise; // the upstream body is released when the caller leaves
    assert.equal(ctx?.signal?.aborted, true, 'the call was cancelled');
  } finally {
    socket.destroy();
    await server.close();
  }
});

test('JSON bodies are capped: a declared or a streamed body over the cap is 413, the call never made', async () => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy, { maxRequestBytes: 1024 });
  try {
    const declared = await call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_t', body: `"${'a'.repeat(2000)}"` });
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.json(), { error: 'invalid_request', message: 'request exceeds 1024 bytes' });
    assert.equal(declared.headers['connection'], 'close');
    const streamed = await call(server, { method: 'POST', path: '/aivault/tokens/proxy', token: OPERATOR, body: ['[', '"a",'.repeat(300), '"b"]'] });
    assert.equal(streamed.status, 413);
    const fits = await call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_t', body: `"${'a'.repeat(1000)}"` });
    assert.equal(fits.status, 200);
    assert.equal(proxy.calls.length, 1);
  } finally {
    await server.close();
  }
});

test('the default cap is the socket transport\'s 16 MiB', async () => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy);
  try {
    // Only the head is sent: a declared length over 16 MiB is refused before anything is read.
    const over = await call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_t', headers: { 'content-length': String(16 * 1024 * 1024 + 1) } });
    assert.equal(over.status, 413);
    assert.equal(over.text, '{"error":"invalid_request","message":"request exceeds 16 MiB"}');
  } finally {
    await server.close();
  }
});

test('close() lets an in-flight response finish, then stops', async () => {
  const finish = deferred();
  const started = deferred();
  const proxy = fakeProxy({
    invoke: async () => {
      started.resolve();
      return reply(200, [], (async function* () {
        await finish.promise;
        yield new TextEncoder().encode('late');
      })());
    },
  });
  const server = await startHttp(proxy);
  const answer = call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_t', body: '{}' });
  await started.promise;
  const closed = server.close();
  finish.resolve();
  assert.equal((await answer).text, 'late');
  await closed;
  await server.done;
  assert.equal(server.connectionCount(), 0);
});
