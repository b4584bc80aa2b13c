// The daemon's wire behaviour byte for byte (daemon.md §5), against the real socket server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { once } from 'node:events';
import { createFakeService } from '../contract/fake-service.js';
import { startSocketServer } from './_harness.js';
import { rawExchange } from './_raw.js';

const ORIGINAL_CLIENT_REQUEST = JSON.stringify({
  op: 'execute_envelope',
  envelope: {
    capability: 'test/echo',
    credential: null,
    request: { method: 'GET', path: '/v2/users', headers: [], body: null, multipart: null, multipartFiles: [], bodyFilePath: null, url: null },
  },
  client_ip: '127.0.0.1',
  timeoutMs: null,
  workspace_id: null,
  group_id: null,
});

async function withDaemon(fn: (path: string, service: ReturnType<typeof createFakeService>) => Promise<void>, options = {}) {
  const service = createFakeService();
  const fixture = await startSocketServer(service, options);
  try {
    await fn(fixture.path, service);
  } finally {
    await fixture.close();
  }
}

const errorOf = (reply: string) => (JSON.parse(reply) as { ok: boolean; error?: string }).error;

describe('socket daemon wire protocol', () => {
  it('accepts the original client request with every null and answers one JSON object', () =>
    withDaemon(async (path, service) => {
      const reply = JSON.parse(await rawExchange(path, ORIGINAL_CLIENT_REQUEST)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(reply), ['ok', 'value']);
      assert.equal(service.calls[0]!.envelope.request.url, null);
      assert.equal(service.calls[0]!.ctx.timeoutMs, null);
    }));

  it('answers the health probe exactly', () =>
    withDaemon(async (path, service) => {
      const probe = ORIGINAL_CLIENT_REQUEST.replace('test/echo', '__aivault/health').replace('127.0.0.1', 'garbage');
      assert.equal(await rawExchange(path, probe), '{"ok":true,"value":{"ok":true,"capability":"__aivault/health"}}');
      assert.equal(service.calls.length, 0);
    }));

  it('ignores unknown top-level keys but rejects unknown envelope keys', () =>
    withDaemon(async (path) => {
      const extraTop = JSON.stringify({ ...JSON.parse(ORIGINAL_CLIENT_REQUEST), future: 1 });
      assert.equal((JSON.parse(await rawExchange(path, extraTop)) as { ok: boolean }).ok, true);
      const extraEnv = ORIGINAL_CLIENT_REQUEST.replace('"url":null', '"url":null,"extra":1');
      assert.equal(errorOf(await rawExchange(path, extraEnv)), 'invalid request JSON: unknown field `envelope.request.extra`');
    }));

  for (const [name, request, expected] of [
    ['garbage', 'hello', 'invalid request JSON: malformed JSON'],
    ['an empty request', '', 'invalid request JSON: EOF while parsing a value'],
    ['a truncated request', ORIGINAL_CLIENT_REQUEST.slice(0, 40), 'invalid request JSON: EOF while parsing a value'],
    ['an unknown op', '{"op":"frobnicate"}', 'invalid request JSON: unknown op `frobnicate`'],
    ['a missing client_ip', ORIGINAL_CLIENT_REQUEST.replace('"client_ip":"127.0.0.1",', ''), 'invalid request JSON: missing field `client_ip`'],
    ['a negative timeout', ORIGINAL_CLIENT_REQUEST.replace('"timeoutMs":null', '"timeoutMs":-1'), 'invalid request JSON: invalid value at `timeoutMs`: expected a non-negative integer'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'invalid request JSON: request is not valid UTF-8'],
    ['a bad unlock key', '{"op":"unlock","key":"not base64!"}', 'invalid request JSON: invalid base64 in field `key`'],
  ] as const) {
    it(`replies invalid request JSON to ${name}`, () =>
      withDaemon(async (path, service) => {
        const error = errorOf(await rawExchange(path, request));
        assert.ok(error?.startsWith(expected), `${error} should start with ${expected}`);
        assert.equal(service.calls.length, 0);
      }));
  }

  it('sends the non-frame reply to a stream request that cannot be parsed', () =>
    withDaemon(async (path) => {
      const reply = await rawExchange(path, '{"op":"execute_envelope_stream"}');
      assert.equal(reply, '{"ok":false,"error":"invalid request JSON: missing field `envelope`"}');
    }));

  it('streams newline-delimited chunk frames and one end frame', () =>
    withDaemon(async (path) => {
      const request = ORIGINAL_CLIENT_REQUEST.replace('execute_envelope', 'execute_envelope_stream').replace('test/echo', 'test/chunks').replace('"body":null', '"body":"a,b"');
      const lines = (await rawExchange(path, request)).split('\n');
      assert.deepEqual(lines, ['{"type":"chunk","bodyB64":"YQ=="}', '{"type":"chunk","bodyB64":"Yg=="}', '{"type":"end"}', '']);
    }));

  it('ends a failing stream with one error frame after the chunks', () =>
    withDaemon(async (path) => {
      const request = ORIGINAL_CLIENT_REQUEST.replace('execute_envelope', 'execute_envelope_stream').replace('test/echo', 'test/fail-after-chunk');
      const lines = (await rawExchange(path, request)).trimEnd().split('\n');
      assert.deepEqual(lines.slice(1), ['{"type":"error","error":"PolicyViolation: capability rate limit exceeded"}']);
    }));

  it('caps requests at 16 MiB with the contract message and keeps serving', () =>
    withDaemon(async (path) => {
      const huge = Buffer.alloc(16 * 1024 * 1024 + 1, 0x20);
      assert.equal(errorOf(await rawExchange(path, huge)), 'invalid request JSON: request exceeds 16 MiB');
      assert.equal((JSON.parse(await rawExchange(path, ORIGINAL_CLIENT_REQUEST)) as { ok: boolean }).ok, true);
    }));

  it('accepts a request of exactly the cap size', () =>
    withDaemon(
      async (path) => {
        const padded = ORIGINAL_CLIENT_REQUEST.padEnd(4096, ' ');
        assert.equal((JSON.parse(await rawExchange(path, padded)) as { ok: boolean }).ok, true);
        assert.equal(errorOf(await rawExchange(path, padded + ' ')), 'invalid request JSON: request exceeds 4096 bytes');
      },
      { maxRequestBytes: 4096 },
    ));

  it('drops a client that never finishes its request, without delaying others', () =>
    withDaemon(
      async (path) => {
        const silent = createConnection({ path });
        silent.on('error', () => {});
        await once(silent, 'connect');
        silent.write('{"op":');
        silent.resume();
        const closed = once(silent, 'close');
        assert.equal((JSON.parse(await rawExchange(path, ORIGINAL_CLIENT_REQUEST)) as { ok: boolean }).ok, true);
        await closed;
      },
      { readTimeoutMs: 100 },
    ));

  it('serves 64 concurrent clients', () =>
    withDaemon(async (path) => {
      const replies = await Promise.all(
        Array.from({ length: 64 }, (_, i) => rawExchange(path, ORIGINAL_CLIENT_REQUEST.replace('/v2/users', `/n/${i}`))),
      );
      replies.forEach((reply, i) => {
        const value = (JSON.parse(reply) as { value: { planned: { url: string } } }).value;
        assert.equal(value.planned.url, `https://api.fake.example/n/${i}`);
      });
    }));

  it('a client vanishing mid-stream does not disturb a concurrent call', () =>
    withDaemon(async (path, service) => {
      const streamer = createConnection({ path, allowHalfOpen: true });
      streamer.on('error', () => {});
      await once(streamer, 'connect');
      streamer.end(ORIGINAL_CLIENT_REQUEST.replace('execute_envelope', 'execute_envelope_stream').replace('test/echo', 'test/hold'));
      await service.firstChunkSent.promise;
      streamer.destroy();
      assert.equal((JSON.parse(await rawExchange(path, ORIGINAL_CLIENT_REQUEST)) as { ok: boolean }).ok, true);
      service.release.resolve();
      await service.bodyClosed.promise;
    }));
});
