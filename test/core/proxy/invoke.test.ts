// Envelope mode through the proxy service (transports.md §3, broker.md §4.1 steps 1, 2, 5 and the
// token pin of §4.3): auth arrives upstream, never at the caller; the token's context reaches the
// call and its audit record; the socket service keeps working on the same state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toResult } from '../../../src/core/broker/to-result.js';
import { CTX, SECRET, credential, refusal, setup, text } from './_setup.js';

const users = { capability: 'acme/users', request: { method: 'GET', path: '/v2/users?page=2' } };

test('a scoped token invokes: the broker injects auth upstream, the caller sees the body and the safe URL only', async () => {
  const s = await setup();
  const record = await s.mint({ capabilities: ['acme/users'] });
  const response = await s.proxy.invoke(s.as(record), users, CTX);
  const body = await text(response);
  assert.equal(response.status, 200);
  assert.equal(body, '{"ok":true}');
  assert.deepEqual(response.planned, { capability: 'acme/users', credential: 'acme', method: 'GET', url: 'https://api.acme.example/v2/users?page=2' });
  assert.equal(s.mock.requests[0]?.url, 'https://api.acme.example/v2/users?page=2');
  assert.equal(s.mock.header(0, 'authorization'), `Bearer ${SECRET}`);
  assert.ok(!JSON.stringify({ ...response, body }).includes(SECRET));
  const [event] = await s.audits();
  assert.equal(event?.capability, 'acme/users');
  assert.equal(event?.transport, 'http');
  assert.equal(event?.outcome, 'ok');
});

test('step 1 comes first: no token, an operator token, an unknown or expired token are token_invalid (audited), nothing upstream', async () => {
  const s = await setup();
  const record = await s.mint({ capabilities: ['acme/users'], ttlMs: 100 });
  const remote = { ...CTX, clientIp: '203.0.113.9' };
  assert.equal(await refusal(() => s.proxy.invoke({ class: 'none' }, { bogus: true }, remote)), 'token_invalid: proxy token required');
  assert.equal(await refusal(() => s.proxy.invoke({ class: 'operator' }, users, CTX)), 'token_invalid: proxy token required');
  assert.equal(await refusal(() => s.proxy.invoke({ class: 'proxy', token: `avp_${'a'.repeat(32)}` }, users, CTX)), 'token_invalid: proxy token not found');
  s.clock.advance(100);
  assert.equal(await refusal(() => s.proxy.invoke(s.as(record), users, CTX)), 'token_invalid: proxy token expired');
  assert.equal(s.mock.requests.length, 0);
  assert.deepEqual((await s.audits()).map((e) => e.error), ['token_invalid', 'token_invalid', 'token_invalid', 'token_invalid']);
});

test('step 2 before the envelope: a non-loopback client is refused unless the service allows remote clients', async () => {
  const s = await setup();
  const record = await s.mint({ capabilities: ['acme/users'] });
  const remote = { ...CTX, clientIp: '203.0.113.9' };
  assert.equal(await refusal(() => s.proxy.invoke(s.as(record), { bogus: 1 }, remote)), 'policy_violation: non-loopback clients are rejected by default');
  assert.equal(await refusal(() => s.proxy.invoke(s.as(record), users, { ...CTX, clientIp: '::ffff:127.0.0.1' })), 'policy_violation: non-loopback clients are rejected by default');
  await text(await s.proxy.invoke(s.as(record), users, { ...CTX, clientIp: '::1' }));
  const open = await setup({ proxy: { allowRemoteClients: true } });
  const token = await open.mint({ capabilities: ['acme/users'] });
  assert.equal((await open.proxy.invoke(open.as(token), users, remote)).status, 200);
  // the socket service of the same assembly keeps its own (loopback) rule
  assert.equal(await refusal(() => open.service.handle({ envelope: users, stream: false }, { ...remote, transport: 'socket' })), 'policy_violation: non-loopback clients are rejected by default');
});

test('the envelope is validated strictly after the token (invalid_request), request.url is refused', async () => {
  const s = await setup();
  const auth = s.as(await s.mint({ capabilities: ['acme/users'] }));
  assert.match(await refusal(() => s.proxy.invoke(auth, { ...users, extra: 1 }, CTX)), /^invalid_request: invalid envelope JSON: unknown field `extra`/);
  assert.equal(
    await refusal(() => s.proxy.invoke(auth, { capability: 'acme/users', request: { method: 'GET', path: '/v2/users', url: 'https://evil.example/' } }, CTX)),
    'policy_violation: request.url is not allowed',
  );
  assert.equal(s.mock.requests.length, 0);
});

test('step 5: the capability must be in the token list exactly; it is checked after lookup (4) and before the rate limit (6)', async () => {
  const s = await setup({ policies: [{ capabilityId: 'acme/admin', policy: { rateLimitPerMinute: 0, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: [] } }] });
  const auth = s.as(await s.mint({ capabilities: ['acme/users'] }));
  const call = (capability: string) => s.proxy.invoke(auth, { capability, request: { method: 'GET', path: '/v2/users/admin' } }, CTX);
  assert.equal(await refusal(() => call('acme/nope')), 'capability_not_found: capability not found');
  assert.equal(await refusal(() => call('acme/admin')), 'policy_violation: token is not scoped to this capability');
  assert.equal(await refusal(() => call('ACME/users')), 'capability_not_found: capability not found');
  const empty = s.as(await s.mint({ capabilities: [] }));
  assert.equal(await refusal(() => s.proxy.invoke(empty, users, CTX)), 'policy_violation: token is not scoped to this capability');
  assert.equal(s.mock.requests.length, 0);
});

test('the token pin resolves the credential when the envelope names none; an explicit credential still wins', async () => {
  const s = await setup({
    credentials: (ids) => [credential('acme', ids.header), credential('acme-query', ids.query, { auth: { query: { param_name: 'key' } } })],
  });
  const unpinned = s.as(await s.mint({ capabilities: ['acme/users'] }));
  assert.equal(await refusal(() => s.proxy.invoke(unpinned, users, CTX)), 'credential_ambiguous: multiple credentials available; pass credential id');
  const pinned = s.as(await s.mint({ capabilities: ['acme/users'], credential: 'acme-query' }));
  const viaPin = await s.proxy.invoke(pinned, users, CTX);
  await text(viaPin);
  assert.equal(viaPin.planned.credential, 'acme-query');
  assert.equal(viaPin.planned.url, 'https://api.acme.example/v2/users?page=2&key=REDACTED');
  assert.match(s.mock.requests[0]!.url, /&key=qk-acme-QUERY/);
  const explicit = await s.proxy.invoke(pinned, { ...users, credential: 'acme' }, CTX);
  await text(explicit);
  assert.equal(explicit.planned.credential, 'acme');
});

test('a pin outside the credential scope is refused at mint; an unpinned token resolves the default credential', async () => {
  const s = await setup({ credentials: (ids) => [credential('acme', ids.header), credential('acme-w', ids.header, { capabilities: ['acme/write'] })] });
  const pinned = s.as(await s.mint({ capabilities: ['acme/users'] }));
  assert.equal(await refusal(() => s.mint({ capabilities: ['acme/users'], credential: 'acme-w' })), 'policy_violation: credential is not scoped to this capability');
  assert.equal((await s.proxy.invoke(pinned, users, CTX)).planned.credential, 'acme');
});

test('the token context is the call context: workspace/group choose credentials and are audited; timeoutMs bounds the exchange', async () => {
  const s = await setup({
    credentials: (ids) => [credential('acme-w1', ids.header, { workspaceId: 'w1' })],
    handler: () => new Promise(() => undefined),
  });
  const none = s.as(await s.mint({ capabilities: ['acme/users'] }));
  assert.equal(await refusal(() => s.proxy.invoke(none, users, { ...CTX, workspaceId: 'w1' })), 'credential_not_found: no credential for capability provider');
  const w1 = s.as(await s.mint({ capabilities: ['acme/users'], context: { workspaceId: 'w1', source: 'runner', timeoutMs: '1500' } }));
  const pending = s.proxy.invoke(w1, users, CTX);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(s.timer.pending(), [1500]);
  s.timer.fireAll();
  assert.match(await refusal(() => pending), /^upstream_error: .*operation timed out/);
  const events = await s.audits();
  assert.equal(events.at(-1)?.workspaceId, 'w1');
  assert.equal(events.at(-1)?.credential, 'acme-w1');
  assert.equal(events[0]?.workspaceId, undefined);
});

test('the socket service and the proxy share one rate window per capability', async () => {
  const s = await setup({ policies: [{ capabilityId: 'acme/users', policy: { rateLimitPerMinute: 2, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: [] } }] });
  const auth = s.as(await s.mint({ capabilities: ['acme/users'] }));
  await toResult(await s.service.handle({ envelope: users, stream: false }, { ...CTX, transport: 'socket' }));
  await text(await s.proxy.invoke(auth, users, CTX));
  assert.equal(await refusal(() => s.proxy.invoke(auth, users, CTX)), 'policy_violation: capability rate limit exceeded');
  assert.equal(s.mock.requests.length, 2);
});
