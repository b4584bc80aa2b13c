// WebSocket connect planning (transports.md §5): targetUrl refused before anything, the strict
// frame, the GET pipeline (token scope, methods, prefixes, query auth), the wss target, and a
// plan whose auth goes to the transport only; nothing is sent upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyPlan } from '../../../src/core/broker/plan.js';
import { asWebSocketPlan } from '../../../src/core/proxy/websocket.js';
import { CTX, QSECRET, SECRET, credential, refusal, setup } from './_setup.js';

const frame = { capability: 'acme/realtime', path: '/v1/listen?model=base' };

test('the plan: wss URL on the effective host, broker auth headers, safe URL; audited, no upstream request', async () => {
  const s = await setup();
  const auth = s.as(await s.mint({ capabilities: ['acme/realtime'] }));
  const plan = await s.proxy.planWebSocket(auth, { ...frame, targetUrl: null }, CTX);
  assert.deepEqual(plan, {
    capability: 'acme/realtime',
    credential: 'acme',
    url: 'wss://api.acme.example/v1/listen?model=base',
    safeUrl: 'wss://api.acme.example/v1/listen?model=base',
    headers: [['authorization', `Bearer ${SECRET}`]],
  });
  assert.equal(s.mock.requests.length, 0);
  const [event] = await s.audits();
  assert.deepEqual([event?.capability, event?.method, event?.path, event?.host, event?.outcome], ['acme/realtime', 'GET', '/v1/listen', 'api.acme.example', 'ok']);
});

test('query auth lands in the plan URL only; the safe URL redacts it and a caller pair of that name is refused', async () => {
  const s = await setup({ credentials: (ids) => [credential('acme-q', ids.query, { auth: { query: { param_name: 'key' } } })] });
  const auth = s.as(await s.mint({ capabilities: ['acme/realtime'] }));
  const plan = await s.proxy.planWebSocket(auth, frame, CTX);
  assert.equal(plan.url, `wss://api.acme.example/v1/listen?model=base&key=${QSECRET}`);
  assert.equal(plan.safeUrl, 'wss://api.acme.example/v1/listen?model=base&key=REDACTED');
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { ...frame, path: '/v1/listen?key=x' }, CTX)), 'policy_violation: query auth parameter is broker-managed');
});

test('targetUrl is refused before anything else, including the token', async () => {
  const s = await setup();
  for (const auth of [{ class: 'none' } as const, s.as(await s.mint({ capabilities: ['acme/realtime'] }))]) {
    assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { ...frame, targetUrl: 'wss://evil.example/', extra: 1 }, { ...CTX, clientIp: '10.1.1.1' })), 'policy_violation: targetUrl is not allowed');
  }
  const auth = s.as(await s.mint({ capabilities: ['acme/realtime'] }));
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { ...frame, targetUrl: '' }, CTX)), 'policy_violation: targetUrl is not allowed');
});

test('then the token, the client, and the strict frame (unknown keys, missing or mistyped fields)', async () => {
  const s = await setup();
  const auth = s.as(await s.mint({ capabilities: ['acme/realtime'] }));
  assert.equal(await refusal(() => s.proxy.planWebSocket({ class: 'none' }, { extra: 1 }, CTX)), 'token_invalid: proxy token required');
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { extra: 1 }, { ...CTX, clientIp: '10.1.1.1' })), 'policy_violation: non-loopback clients are rejected by default');
  for (const bad of [{ ...frame, extra: 1 }, { capability: 'acme/realtime' }, { ...frame, path: 1 }, { ...frame, credential: 'acme' }, 'text', null]) {
    assert.match(await refusal(() => s.proxy.planWebSocket(auth, bad, CTX)), /^invalid_request: invalid connect frame JSON: /, JSON.stringify(bad));
  }
});

test('the upgrade is authorised as a GET through the envelope pipeline: token scope, methods, prefixes', async () => {
  const s = await setup();
  const auth = s.as(await s.mint({ capabilities: ['acme/realtime', 'acme/write'] }));
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { capability: 'acme/users', path: '/v2/users' }, CTX)), 'policy_violation: token is not scoped to this capability');
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { capability: 'acme/write', path: '/v2/write' }, CTX)), 'policy_violation: method not allowed by capability');
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { capability: 'acme/realtime', path: '/v2/other' }, CTX)), 'policy_violation: path not allowed by capability');
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { capability: 'acme/realtime', path: '/v1/listen/../x' }, CTX)), 'policy_violation: path traversal is not allowed');
  // Decision 18: a backslash in the path part is refused for WebSocket too; one in the query is not.
  assert.equal(await refusal(() => s.proxy.planWebSocket(auth, { capability: 'acme/realtime', path: '/v1/listen\\x' }, CTX)), 'policy_violation: path traversal is not allowed');
  assert.ok(await s.proxy.planWebSocket(auth, { capability: 'acme/realtime', path: '/v1/listen?q=a\\b' }, CTX));
  assert.equal(s.mock.requests.length, 0);
});

test('step 3 re-applies the target rules for wss: scheme wss, default port 443, the deny list', () => {
  const opts = { allowRemoteClients: false, allowNonDefaultPorts: false, allowHttpLocal: false, redirectMode: 'block', defaultTimeoutMs: 30_000 } as const;
  const planned = (authority: string) => ({ target: { scheme: 'https', authority, hostname: authority, port: null } }) as unknown as PolicyPlan;
  assert.deepEqual(asWebSocketPlan(planned('api.acme.example:443'), opts).target, { scheme: 'wss', authority: 'api.acme.example', hostname: 'api.acme.example', port: null });
  assert.throws(() => asWebSocketPlan(planned('api.acme.example:8443'), opts), /non-default port not allowed/);
  assert.throws(() => asWebSocketPlan(planned('169.254.169.254'), opts), /upstream host blocked by SSRF guard/);
  assert.equal(asWebSocketPlan(planned('api.acme.example:8443'), { ...opts, allowNonDefaultPorts: true }).target.port, 8443);
});
