// registry.md §7.5 end to end: the assembled broker service refreshes a stale Codex token document
// on a Codex invocation, renders with the new token, and leaves every other invocation alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrokerService } from '../../../src/core/create-broker-service.js';
import { createRateLimiter } from '../../../src/core/broker/rate-limiter.js';
import { toResult } from '../../../src/core/broker/to-result.js';
import { BrokerError } from '../../../src/core/broker-error.js';
import { createVault } from '../../../src/core/vault/create-vault.js';
import { createBrokerStore } from '../../../src/core/registry/broker-store.js';
import { builtinRegistry } from '../../../src/core/registry/registry.js';
import { provisionForSecret } from '../../../src/core/registry/provisioning.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { createMemFs } from '../../fakes/memfs-port.js';
import { createMockUpstream, type RecordedRequest } from '../../fakes/mock-upstream-fn.js';
import { createManualTimer } from '../broker/_harness.js';

const API_KEY = 'sk-live-codex-service-0123456789';
const OLD_RT = 'rt-old-service-0123456789';
const NEW_AT = 'at-new-service-9876543210';
const NEW_RT = 'rt-new-service-9876543210';
const ctx = { clientIp: '127.0.0.1', transport: 'inproc' as const };
const enc = (s: string) => new TextEncoder().encode(s);

type TokenReply = { status: number; body: string };

async function setup(options: { token?: TokenReply; codexTokenEndpoint?: string } = {}) {
  const clock = createManualClock();
  const { fs, vol } = createMemFs();
  let n = 0;
  const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const vault = createVault({ fs, crypto: globalThis.crypto, clock, env: {}, rootDir: '/v', home: '/home/u', pid: 7, sleep: async (ms) => clock.advance(ms) });
  await vault.load();
  const registry = builtinRegistry();
  const brokerStore = createBrokerStore({ fs, path: vault.paths.brokerPath, pid: 7, uuid });
  for (const [name, value] of [
    ['OPENAI_API_KEY', API_KEY],
    ['CODEX_OAUTH_JSON', JSON.stringify({ access_token: 'at-old', refresh_token: OLD_RT, account_id: 'acc-1', expires_at: clock.now() + 60_000 })],
  ] as const) {
    const secret = await vault.createSecret({ name, value: enc(value), scope: { kind: 'global' } });
    await provisionForSecret({ vault, registry, brokerStore, secret, command: 'create' });
  }
  const token = options.token ?? { status: 200, body: JSON.stringify({ access_token: NEW_AT, refresh_token: NEW_RT, expires_in: 3600 }) };
  const isTokenRequest = (r: RecordedRequest) => r.url.endsWith('/oauth/token');
  const mock = createMockUpstream((r) => (isTokenRequest(r) ? token : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"resp-1"}' }));
  const service = createBrokerService({
    vault, registry, brokerStore, fs, crypto: globalThis.crypto, clock, timer: createManualTimer(), upstream: mock.upstream,
    rateLimiter: createRateLimiter({ fs, path: vault.paths.rateLimitsPath, clock, pid: 7, uuid }), cwd: '/',
    ...(options.codexTokenEndpoint === undefined ? {} : { codexTokenEndpoint: options.codexTokenEndpoint }),
  });
  const auditText = () => Object.entries(vol.toJSON()).filter(([p]) => p.includes('/audit/')).map(([, t]) => t).join('');
  return { service, mock, vault, auditText, tokenRequests: () => mock.requests.filter(isTokenRequest) };
}

const codexCall = { stream: false, envelope: { capability: 'openai/codex-responses', request: { method: 'POST', path: '/responses', body: '{"model":"gpt-5"}' } } };
const chatCall = { stream: false, envelope: { capability: 'openai/chat-completions', request: { method: 'POST', path: '/v1/chat/completions', body: '{}' } } };

test('a Codex invocation with a stale document refreshes it, then calls chatgpt.com with the new token', async () => {
  const t = await setup();
  const result = await toResult(await t.service.handle(codexCall, ctx));
  assert.equal(result.planned.credential, 'openai:codex-oauth');
  assert.equal(result.planned.url, 'https://chatgpt.com/backend-api/codex/responses');
  assert.deepEqual(t.mock.requests.map((r) => r.url), ['https://auth.openai.com/oauth/token', 'https://chatgpt.com/backend-api/codex/responses']);
  assert.equal(t.mock.header(1, 'authorization'), `Bearer ${NEW_AT}`);
  assert.equal(t.mock.header(1, 'chatgpt-account-id'), 'acc-1');
  const serialised = JSON.stringify(result) + t.auditText();
  for (const secret of [NEW_AT, NEW_RT, OLD_RT]) assert.ok(!serialised.includes(secret), 'no token in the result or the audit log');

  // The second call reuses the rotated, now fresh document.
  await toResult(await t.service.handle(codexCall, ctx));
  assert.equal(t.tokenRequests().length, 1);
  assert.equal(t.mock.header(2, 'authorization'), `Bearer ${NEW_AT}`);
});

test('a failing refresh fails the Codex invocation only; other invocations touch no token endpoint', async () => {
  const t = await setup({ token: { status: 500, body: `{"error":"server_error","refresh_token":"${OLD_RT}"}` } });
  await assert.rejects(t.service.handle(codexCall, ctx), (e: unknown) => {
    assert.ok(e instanceof BrokerError);
    assert.equal(e.code, 'oauth_error');
    assert.equal(e.message, 'Codex OAuth token endpoint returned 500: {"error":"server_error","refresh_token":"REDACTED"}');
    return true;
  });
  const before = t.tokenRequests().length;
  const chat = await toResult(await t.service.handle(chatCall, ctx));
  assert.equal(chat.planned.credential, 'openai');
  assert.equal(t.tokenRequests().length, before, 'no refresh for a non-Codex capability');
  assert.equal(t.mock.header(t.mock.requests.length - 1, 'authorization'), `Bearer ${API_KEY}`);
  const refused = t.auditText().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.kind === 'capability.invoked' && e.outcome === 'error');
  assert.deepEqual(refused.map((e) => [e.capability, e.error]), [['openai/codex-responses', 'oauth_error']]);
});

test('the service passes the dev token endpoint override to the refresher', async () => {
  const t = await setup({ codexTokenEndpoint: 'https://auth.dev.test/oauth/token' });
  await toResult(await t.service.handle(codexCall, ctx));
  assert.equal(t.tokenRequests()[0]!.url, 'https://auth.dev.test/oauth/token');
  const refused = await setup({ codexTokenEndpoint: 'https://10.0.0.8/oauth/token' });
  await assert.rejects(refused.service.handle(codexCall, ctx), { code: 'policy_violation', message: 'upstream host blocked by SSRF guard' });
  assert.equal(refused.tokenRequests().length, 0);
});
