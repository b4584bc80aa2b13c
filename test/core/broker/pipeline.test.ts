// The envelope pipeline end to end: planned summary, wire request, result shape, audit event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAP, CRED, env, harness, observable } from './_harness.js';

test('a GET reaches the one allowed host with broker auth and returns the buffered result', async () => {
  const h = harness({
    handler: () => ({ status: 200, headers: [['content-type', 'application/json'], ['x-trace-id', 't1'], ['connection', 'close'], ['content-length', '11'], ['transfer-encoding', 'chunked'], ['sec-websocket-accept', 'x']], body: '{"ok":true}' }),
  });
  const result = await h.invoke(env({ path: '/v2/users?lang=en', headers: [{ name: 'X-Trace', value: 'abc' }] }));
  assert.deepEqual(result, {
    planned: { capability: 'acme/users', credential: 'acme', method: 'GET', url: 'https://api.acme.example/v2/users?lang=en' },
    response: {
      status: 200,
      headers: [
        { name: 'content-type', value: 'application/json' },
        { name: 'x-trace-id', value: 't1' },
      ],
      bodyUtf8: '{"ok":true}',
      bodyB64: 'eyJvayI6dHJ1ZX0=',
    },
  });
  assert.equal(h.mock.requests.length, 1);
  const sent = h.mock.requests[0]!;
  assert.equal(sent.url, 'https://api.acme.example/v2/users?lang=en');
  assert.equal(sent.method, 'GET');
  assert.deepEqual(sent.headers, [
    ['x-trace', 'abc'],
    ['authorization', 'Bearer sk-live-SECRET-1234'],
    ['accept', '*/*'],
  ]);
  assert.equal(sent.body, null);
  assert.deepEqual(h.fake.loads, [{ credential: 'acme', purpose: 'broker.credential.load' }]);
});

test('one capability.invoked event per call with the Decision 16 keys, no secret and no query value', async () => {
  const h = harness();
  await h.invoke(env({ method: 'post', path: '/v2/users/42?token=q-value-xyz', body: 'hello' }), { workspaceId: ' ws1 ', groupId: '', transport: 'socket' });
  assert.equal(h.audits.length, 1);
  const event = h.audits[0]!;
  assert.deepEqual(Object.keys(event), [
    'tsMs', 'kind', 'capability', 'credential', 'provider', 'host', 'method', 'path', 'status', 'durationMs',
    'requestBytes', 'responseBytes', 'outcome', 'workspaceId', 'clientIp', 'transport',
  ]);
  assert.deepEqual(event, {
    tsMs: h.clock.now(), kind: 'capability.invoked', capability: 'acme/users', credential: 'acme', provider: 'acme',
    host: 'api.acme.example', method: 'POST', path: '/v2/users/42', status: 200, durationMs: 0, requestBytes: 5,
    responseBytes: 11, outcome: 'ok', workspaceId: 'ws1', clientIp: '127.0.0.1', transport: 'socket',
  });
  const text = observable(event);
  assert.ok(!text.includes('q-value-xyz'));
  assert.ok(!text.includes('SECRET'));
});

test('a refused call is audited with its error code and what was known', async () => {
  const h = harness();
  const error = await h.refuse(env({ method: 'DELETE' }));
  assert.equal(error.code, 'policy_violation');
  assert.equal(error.message, 'method not allowed by capability');
  assert.equal(h.audits.length, 1);
  assert.deepEqual(
    { ...h.audits[0]!, tsMs: 0 },
    { tsMs: 0, kind: 'capability.invoked', capability: 'acme/users', credential: 'acme', provider: 'acme', method: 'DELETE', path: '/v2/users', durationMs: 0, outcome: 'error', error: 'policy_violation', clientIp: '127.0.0.1', transport: 'inproc' },
  );
  assert.equal(h.mock.requests.length, 0);
});

test('an invalid envelope is audited too, and a failing audit sink never fails the call', async () => {
  const h = harness();
  const error = await h.refuse({ capability: 'acme/users', request: { method: 'GET', path: '/v2/users', bogus: 1 } });
  assert.equal(error.code, 'invalid_request');
  assert.equal(error.message, 'invalid envelope JSON: unknown field `bogus` in request');
  assert.equal(h.audits[0]?.error, 'invalid_request');
  const quiet = harness({ auditFails: true });
  const result = await quiet.invoke(env());
  assert.equal(result.response.status, 200);
});

test('non-2xx statuses and 3xx redirects are results, never followed', async () => {
  const h = harness({ handler: () => ({ status: 302, headers: { location: 'https://evil.example/steal' }, body: '' }) });
  const result = await h.invoke(env());
  assert.equal(result.response.status, 302);
  assert.deepEqual(result.response.headers, [{ name: 'location', value: 'https://evil.example/steal' }]);
  assert.equal(h.mock.requests.length, 1);
});

test('upstreamPathPrefix and credential alternatives: priority picks the alternative for its capability', async () => {
  const write = { ...CAP, id: 'acme/write', allow: { ...CAP.allow, hosts: ['api.primary.example', 'api.alt.example'], pathPrefixes: ['/v1/'] } };
  const read = { ...CAP, id: 'acme/read', allow: { ...CAP.allow, hosts: ['api.primary.example', 'api.alt.example'], pathPrefixes: ['/v1/'] } };
  const h = harness({
    capabilities: [write, read],
    credentials: [
      { ...CRED, id: 'acme', hosts: ['api.primary.example'], source: 'registry' },
      { ...CRED, id: 'acme:alt', hosts: ['api.alt.example'], capabilities: ['acme/write'], priority: 100, upstreamPathPrefix: '/proxy', source: 'registry' },
    ],
  });
  const a = await h.invoke({ capability: 'acme/write', request: { method: 'POST', path: '/v1/write' } });
  assert.equal(a.planned.credential, 'acme:alt');
  assert.equal(h.mock.requests[0]!.url, 'https://api.alt.example/proxy/v1/write');
  const b = await h.invoke({ capability: 'acme/read', request: { method: 'GET', path: '/v1/read' } });
  assert.equal(b.planned.credential, 'acme');
  assert.equal(h.mock.requests[1]!.url, 'https://api.primary.example/v1/read');
});

test('non-UTF-8 bodies: bodyUtf8 is null, bodyB64 carries the bytes; odd header values become ""', async () => {
  const h = harness({ handler: () => ({ status: 200, headers: [['x-odd', 'caf\u00e9'], ['x-tab', 'a\tb']], body: new Uint8Array([0xff, 0xfe, 0x00]) }) });
  const result = await h.invoke(env());
  assert.equal(result.response.bodyUtf8, null);
  assert.equal(result.response.bodyB64, '//4A');
  assert.deepEqual(result.response.headers, [{ name: 'x-odd', value: '' }, { name: 'x-tab', value: 'a\tb' }]);
});

test('the state factory gets the call context and the trimmed requested credential', async () => {
  const h = harness();
  await h.invoke(env({}, { credential: '  acme  ' }), { workspaceId: 'w', groupId: 'g' });
  assert.equal(h.stateCalls[0]!.requested, 'acme');
  assert.equal(h.stateCalls[0]!.ctx.workspaceId, 'w');
  await h.invoke(env({}, { credential: '   ' }));
  assert.equal(h.stateCalls[1]!.requested, null);
});
