// The routes of transports.md §3-§6 over real loopback HTTP: which ProxyService operation each
// request reaches, with which auth class, context and input (Decision 15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerError, type PassthroughRequest } from '../../src/core/index.js';
import { call, fakeProxy, OPERATOR, rawRequest, reply, startHttp } from './_harness.js';

const envelope = { capability: 'openai/models', request: { method: 'GET', path: '/v1/models' } };

test('auth classes: the operator token, any other bearer (a proxy token), or none', async () => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy);
  try {
    await call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_x', body: JSON.stringify(envelope) });
    await call(server, { method: 'POST', path: '/aivault/proxy', headers: { authorization: `bearer   ${OPERATOR}` } });
    await call(server, { method: 'POST', path: '/aivault/proxy' });
    await call(server, { method: 'POST', path: '/aivault/proxy', headers: { authorization: `Basic ${OPERATOR}` } });
    await call(server, { method: 'POST', path: '/aivault/proxy', token: `${OPERATOR}0`, body: '{}' });
    assert.deepEqual(
      proxy.calls.map((c) => c.auth),
      [{ class: 'proxy', token: 'avp_x' }, { class: 'operator' }, { class: 'none' }, { class: 'none' }, { class: 'proxy', token: `${OPERATOR}0` }],
    );
  } finally {
    await server.close();
  }
});

test('POST /aivault/proxy: the parsed envelope, the connection address and the upstream reply', async () => {
  const proxy = fakeProxy({ invoke: async () => reply(201, [{ name: 'x-upstream', value: '1' }, { name: 'set-cookie', value: 'a=1' }, { name: 'set-cookie', value: 'b=2' }], ['{"da', 'ta":1}']) });
  const server = await startHttp(proxy);
  try {
    const answer = await call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_t', body: JSON.stringify(envelope), headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(answer.status, 201);
    assert.equal(answer.text, '{"data":1}');
    assert.equal(answer.headers['x-upstream'], '1');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
    const [only] = proxy.calls;
    assert.deepEqual(only?.input, envelope);
    // security.md §10: the address is the connection's, never a header's.
    assert.equal(only?.ctx.clientIp, '127.0.0.1');
    assert.equal(only?.ctx.transport, 'http');
    assert.ok(only?.ctx.signal instanceof AbortSignal);
  } finally {
    await server.close();
  }
});

test('POST /aivault/proxy without a proxy token: the core refuses before any body is read', async () => {
  const proxy = fakeProxy({ invoke: async () => Promise.reject(new BrokerError({ code: 'token_invalid', message: 'proxy token required' })) });
  const server = await startHttp(proxy);
  try {
    const answer = await call(server, { method: 'POST', path: '/aivault/proxy', body: 'not even json' });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json(), { error: 'token_invalid', message: 'proxy token required' });
    assert.equal(proxy.calls[0]?.input, null);
  } finally {
    await server.close();
  }
});

test('bad JSON is 400 invalid_request, without quoting the body', async () => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy);
  try {
    for (const [path, token] of [['/aivault/proxy', 'avp_t'], ['/aivault/tokens/proxy', OPERATOR]] as const) {
      const answer = await call(server, { method: 'POST', path, token, body: '{"sk-secret' });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.json(), { error: 'invalid_request', message: 'invalid request JSON: body is not valid JSON' });
    }
    assert.equal(proxy.calls.length, 0);
  } finally {
    await server.close();
  }
});

test('/v/{credential}/...: any method, the raw route with its query, caller headers minus Authorization, the body', async () => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy);
  try {
    const path = '/v/openai/v1/x?q=has%3Aattachment&b=1';
    const answer = await call(server, { method: 'PUT', path, token: 'avp_t', headers: { 'content-type': 'audio/wav', 'x-trace': 't' }, body: ['RIFF', '....data'] });
    assert.equal(answer.status, 200);
    await call(server, { method: 'DELETE', path: '/v/openai/v1/files/1', token: 'avp_t' });
    const [put, del] = proxy.calls;
    const input = put?.input as PassthroughRequest;
    assert.equal(input.method, 'PUT');
    assert.equal(input.route, path);
    assert.equal(put?.body, 'RIFF....data');
    assert.ok(input.headers.some((h) => h.name.toLowerCase() === 'x-trace' && h.value === 't'));
    assert.ok(!input.headers.some((h) => h.name.toLowerCase() === 'authorization'), 'the aivault token never goes upstream');
    assert.equal(del?.body, null, 'no body declared: none passed');
    assert.deepEqual(del?.auth, { class: 'proxy', token: 'avp_t' });
  } finally {
    await server.close();
  }
});

test('POST /aivault/tokens/proxy: the operator input, answered 200 with the full record', async () => {
  const record = { token: `avp_${'1'.repeat(32)}`, capabilities: ['acme/transcribe'], credential: 'acme-work', expiresAtMs: 1739400000000, context: { source: 'x' } };
  const proxy = fakeProxy({ mintToken: async () => record });
  const server = await startHttp(proxy);
  try {
    const input = { capabilities: ['acme/transcribe'], credential: 'acme-work', ttlMs: 600000 };
    const answer = await call(server, { method: 'POST', path: '/aivault/tokens/proxy', token: OPERATOR, body: JSON.stringify(input) });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.deepEqual(answer.json(), record);
    assert.deepEqual(proxy.calls[0]?.input, input);
    assert.deepEqual(proxy.calls[0]?.auth, { class: 'operator' });
  } finally {
    await server.close();
  }
});

test('POST /aivault/tokens/proxy with a proxy token: the core refuses (401), no body read', async () => {
  const proxy = fakeProxy({ mintToken: async () => Promise.reject(new BrokerError({ code: 'operator_auth_required', message: 'operator token required' })) });
  const server = await startHttp(proxy);
  try {
    const answer = await call(server, { method: 'POST', path: '/aivault/tokens/proxy', token: 'avp_t', body: '{}' });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json(), { error: 'operator_auth_required', message: 'operator token required' });
    assert.equal(proxy.calls[0]?.input, null);
  } finally {
    await server.close();
  }
});

test('unknown route 404, wrong method 405 with Allow, a non-path target 400, GET /aivault/ws 501', async () => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy);
  try {
    const missing = await call(server, { path: '/aivault/nope' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { error: 'invalid_request', message: 'no such route' });
    assert.equal((await call(server, { path: '/v' })).status, 404);
    const wrong = await call(server, { method: 'GET', path: '/aivault/proxy' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers['allow'], 'POST');
    assert.deepEqual(wrong.json(), { error: 'invalid_request', message: 'method GET is not allowed on this route' });
    assert.equal((await call(server, { method: 'DELETE', path: '/aivault/tokens/proxy' })).status, 405);
    const ws = await call(server, { path: '/aivault/ws', token: 'avp_t' });
    assert.equal(ws.status, 501);
    assert.equal((ws.json() as { error: string }).error, 'invalid_request');
    const absolute = await rawRequest(server.address.port, 'GET http://api.openai.com/v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(absolute, /^HTTP\/1\.1 400 /);
    assert.match(absolute, /"request target must be a path"/);
    assert.equal(proxy.calls.length, 0);
  } finally {
    await server.close();
  }
});

test('a dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; the core gets a.b.c.d (security.md §10)', async (t) => {
  const proxy = fakeProxy();
  const server = await startHttp(proxy, { host: '::', allowRemote: true }).catch(() => undefined);
  if (server === undefined) return t.skip('no IPv6 on this host');
  try {
    const port = server.address.port;
    const viaV4 = await rawRequest(port, 'POST /aivault/proxy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer avp_t\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
    assert.match(viaV4, /^HTTP\/1\.1 200 /);
    assert.equal(proxy.calls[0]?.ctx.clientIp, '127.0.0.1');
  } finally {
    await server.close();
  }
});
