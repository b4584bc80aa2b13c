// [B-STREAM] and [B-TIMEOUT]: chunks forwarded as they arrive (deferreds, no sleeps), reads of at
// most 16 KiB, 401 hold-back, buffering when a response policy exists, one timeout for the whole
// exchange, caller cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRED, CTX, deferred, env, harness } from './_harness.js';
import { BrokerError } from '../../../src/core/broker-error.js';
import type { Envelope } from '../../../src/core/broker/types.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

test('the first chunk reaches the consumer before the upstream finishes', async () => {
  const gate = deferred();
  const h = harness({
    handler: () => ({
      body: (async function* () {
        yield enc('first');
        await gate.promise;
        yield enc('second');
      })(),
    }),
  });
  const response = await h.broker.handle({ envelope: env() as unknown as Envelope, stream: true }, CTX);
  const it = response.body[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(Buffer.from(first.value!).toString(), 'first');
  assert.equal(h.audits.length, 0, 'audited only when the stream ends');
  gate.resolve();
  assert.equal(Buffer.from((await it.next()).value!).toString(), 'second');
  assert.equal((await it.next()).done, true);
  assert.equal(h.audits[0]!.responseBytes, 11);
  assert.equal(h.audits[0]!.outcome, 'ok');
});

test('large upstream chunks are forwarded in reads of at most 16 KiB', async () => {
  const h = harness({ handler: () => ({ body: new Uint8Array(40 * 1024).fill(65) }) });
  const chunks = await h.stream(env());
  assert.deepEqual(chunks.map((c) => c.length), [16384, 16384, 8192]);
});

test('a non-OAuth 401 is held back and then emitted; over 1 MiB is an error', async () => {
  const h = harness({ handler: () => ({ status: 401, body: 'denied' }) });
  assert.equal(dec(await h.stream(env())), 'denied');
  const big = harness({ handler: () => ({ status: 401, body: new Uint8Array(1_048_577) }) });
  await assert.rejects(big.stream(env()), (e: BrokerError) => e.code === 'upstream_error' && e.message === 'upstream 401 response exceeds the deferred retry limit');
  assert.equal(big.audits[0]!.error, 'upstream_error');
});

test('a response policy forces buffering: one filtered chunk, blocklist applied', async () => {
  const h = harness({
    policies: { 'acme/users': { responseBodyBlocklist: ['sk-live-', '  ', 'internal-token'] } },
    handler: () => ({ body: (async function* () { yield enc('a sk-live-1 and '); yield enc('internal-token b sk-live-2'); })() }),
  });
  const chunks = await h.stream(env());
  assert.equal(chunks.length, 1);
  assert.equal(dec(chunks), 'a [REDACTED]1 and [REDACTED] b [REDACTED]2');
});

test('response size limit: refused on the received length, no partial result', async () => {
  const h = harness({ policies: { 'acme/users': { maxResponseBodyBytes: 5 } }, handler: () => ({ body: '123456' }) });
  const error = await h.refuse(env());
  assert.deepEqual([error.code, error.message], ['policy_violation', 'response body exceeds capability size limit']);
  const ok = harness({ policies: { 'acme/users': { maxResponseBodyBytes: 6, responseBodyBlocklist: ['3456'] } }, handler: () => ({ body: '123456' }) });
  assert.equal((await ok.invoke(env())).response.bodyUtf8, '12[REDACTED]');
  const binary = harness({ policies: { 'acme/users': { responseBodyBlocklist: ['A'] } }, handler: () => ({ body: new Uint8Array([0x41, 0xff]) }) });
  assert.equal((await binary.invoke(env())).response.bodyB64, 'Qf8=', 'non-UTF-8 bodies are not redacted');
});

test('timeout: one timer for the whole exchange; firing it ends a stalled stream with the safe URL', async () => {
  const stall = deferred();
  const h = harness({
    credentials: [{ ...CRED, auth: { query: { param_name: 'key' } }, secret: 'qsecret' }],
    handler: () => ({ body: (async function* () { yield enc('x'); await stall.promise; })() }),
  });
  const response = await h.broker.handle({ envelope: env() as unknown as Envelope, stream: true }, { ...CTX, timeoutMs: 420_000 });
  assert.deepEqual(h.timer.pending(), [420_000]);
  const it = response.body[Symbol.asyncIterator]();
  await it.next();
  const pending = it.next();
  h.timer.fireAll();
  await assert.rejects(pending, (e: BrokerError) => {
    assert.equal(e.code, 'upstream_error');
    assert.equal(e.message, 'error sending request for url (https://api.acme.example/v2/users?key=REDACTED): operation timed out');
    return true;
  });
  assert.equal(h.audits[0]!.error, 'upstream_error');
  assert.equal(h.mock.requests[0]!.signal?.aborted, true, 'the upstream request is aborted too');
});

test('timeout values: absent → 30 000 ms, below 1 → 1 ms; timers are released after the call', async () => {
  for (const [timeoutMs, expected] of [[undefined, 30_000], [0, 1], [-5, 1], [0.5, 1], [1500, 1500]] as const) {
    const gate = deferred();
    const h = harness({ handler: async () => { await gate.promise; return { body: 'ok' }; } });
    const call = h.broker.handle({ envelope: env() as unknown as Envelope, stream: false }, { ...CTX, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    await Promise.resolve();
    await new Promise<void>((r) => setImmediate(r));
    assert.deepEqual(h.timer.pending(), [expected], String(timeoutMs));
    gate.resolve();
    await call;
    assert.deepEqual(h.timer.pending(), []);
  }
});

test('a timeout before the response headers is an upstream_error, never a hang', async () => {
  const h = harness({ handler: () => new Promise(() => undefined) });
  const call = h.refuse(env());
  await new Promise<void>((r) => setImmediate(r));
  h.timer.fireAll();
  const error = await call;
  assert.equal(error.message, 'error sending request for url (https://api.acme.example/v2/users): operation timed out');
});

test('network errors are upstream_error with the real URL and secrets replaced', async () => {
  const h = harness({
    credentials: [{ ...CRED, auth: { path: { prefix_template: '/bot{{secret}}' } }, secret: 'pathsecret' }],
    handler: (req) => {
      throw new Error(`connect ECONNREFUSED for ${req.url} (pathsecret)`);
    },
  });
  const error = await h.refuse(env());
  assert.equal(error.code, 'upstream_error');
  assert.equal(
    error.message,
    'error sending request for url (https://api.acme.example/botREDACTED/v2/users): connect ECONNREFUSED for https://api.acme.example/botREDACTED/v2/users (REDACTED)',
  );
});

test('a connect-time SSRF refusal from the upstream client keeps its code and message', async () => {
  const h = harness({ handler: () => { throw new BrokerError({ code: 'policy_violation', message: 'upstream host blocked by SSRF guard' }); } });
  const error = await h.refuse(env());
  assert.deepEqual([error.code, error.message], ['policy_violation', 'upstream host blocked by SSRF guard']);
});

test('caller cancellation aborts the exchange as cancelled', async () => {
  const controller = new AbortController();
  const h = harness({ handler: () => new Promise(() => undefined) });
  const call = h.refuse(env(), { signal: controller.signal });
  await new Promise<void>((r) => setImmediate(r));
  controller.abort();
  assert.equal((await call).code, 'cancelled');
});
