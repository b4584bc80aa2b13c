// registry.md §7.5: the invocation-time Codex OAuth refresh (runtime state + refresher, mock upstream).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, ws } from './harness.js';
import { createManualTimer, deferred } from '../broker/_harness.js';
import { createMockUpstream, type MockHandler } from '../../fakes/mock-upstream-fn.js';
import { createRuntimeState } from '../../../src/core/runtime/create-runtime-state.js';
import { createCodexRefresher, type CodexRefresherOptions } from '../../../src/core/runtime/codex-refresher.js';
import { BrokerError } from '../../../src/core/broker-error.js';
import type { Scope } from '../../../src/core/vault/types.js';

type H = Awaited<ReturnType<typeof harness>>;
const OLD_RT = 'rt-old-0123456789';
const OLD_AT = 'at-old-0123456789';
const NEW_AT = 'at-new-9876543210';
const NEW_RT = 'rt-new-9876543210';
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const tokenReply = (body: object, status = 200) => () => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function setup(doc: Record<string, unknown>, handler: MockHandler = tokenReply({ access_token: NEW_AT, expires_in: 7200, refresh_token: NEW_RT }), extra: Partial<CodexRefresherOptions> = {}, scope: Scope = { kind: 'global' }) {
  const h = await harness();
  const { secret } = await h.createSecret('CODEX_OAUTH_JSON', JSON.stringify(doc), scope);
  const mock = createMockUpstream(handler);
  const timer = createManualTimer();
  const refreshCodex = createCodexRefresher({ upstream: mock.upstream, clock: h.clock, timer, ...extra });
  const invoke = (context: { workspaceId?: string } = {}) => createRuntimeState({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context, refreshCodex });
  const load = async (id = 'openai:codex-oauth', context: { workspaceId?: string } = {}) => {
    const rt = await invoke(context);
    const credential = rt.credentials().find((c) => c.id === id);
    assert.ok(credential, `credential ${id} is derived`);
    return dec(await rt.loadSecret(credential, 'broker.credential.load'));
  };
  return { h, secret, mock, timer, invoke, load, stored: () => h.vault.valueOf(secret.secretId) };
}

const stale = (h: H, extra: Record<string, unknown> = {}) => ({ access_token: OLD_AT, refresh_token: OLD_RT, accountId: 'acc-1', email: 'a@b.c', expires_at: h.clock.now() + 60_000, junk: 1, ...extra });

test('stale → refreshed: exact form POST, rotated pretty-printed snake_case document, used for the call', async () => {
  const probe = await harness();
  const t = await setup(stale(probe));
  const issuedAt = t.h.clock.now();
  const used = await t.load();

  assert.equal(t.mock.requests.length, 1);
  const req = t.mock.requests[0]!;
  assert.equal(req.url, 'https://auth.openai.com/oauth/token');
  assert.equal(req.method, 'POST');
  assert.equal(t.mock.header(0, 'content-type'), 'application/x-www-form-urlencoded');
  assert.equal(t.mock.bodyText(0), `grant_type=refresh_token&refresh_token=${OLD_RT}&client_id=app_EMoamEEZ73f0CkXaXp7hrann`);

  const stored = await t.stored();
  assert.equal(used, stored, 'the call renders with the rotated document');
  const expected = {
    access_token: NEW_AT,
    account_id: 'acc-1',
    email: 'a@b.c',
    expires_at: issuedAt + 7_200_000,
    refresh_token: NEW_RT,
    updated_at: new Date(issuedAt).toISOString(),
  };
  assert.equal(stored, JSON.stringify(expected, null, 2), 'keys in order, pretty-printed, other keys dropped');
  assert.match(expected.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal((await t.h.vault.getSecret(t.secret.secretId)).valueVersion, 2, 'rotated, not rewritten in place');

  // Now fresh: the next invocation reads it and touches no network.
  assert.equal(await t.load('openai:codex-oauth-usage'), stored);
  assert.equal(t.mock.requests.length, 1);
});

test('fresh document → no network, bytes unchanged, not rotated', async () => {
  const probe = await harness();
  const doc = { ...stale(probe), expires_at: probe.clock.now() + 3_600_000 };
  const t = await setup(doc);
  assert.equal(await t.load(), JSON.stringify(doc));
  assert.equal(t.mock.requests.length, 0);
  assert.equal((await t.h.vault.getSecret(t.secret.secretId)).valueVersion, 1);
});

test('listing (no refresher) omits stale Codex alternatives without network; invocation state derives them unread', async () => {
  const probe = await harness();
  const t = await setup(stale(probe));
  const listing = await createRuntimeState({ vault: t.h.vault, registry: t.h.registry, brokerStore: t.h.brokerStore, clock: t.h.clock, context: {} });
  assert.deepEqual(listing.credentials().map((c) => c.id), []);
  assert.deepEqual(listing.problems, []);
  t.h.vault.reads.length = 0;
  const invocation = await t.invoke();
  assert.deepEqual(invocation.credentials().map((c) => c.id), ['openai:codex-oauth', 'openai:codex-oauth-usage']);
  assert.deepEqual(t.h.vault.reads, [], 'deriving for an invocation decrypts nothing');
  assert.equal(t.mock.requests.length, 0);
});

test('expired and missing refresh_token → verbatim oauth_error, no request; refreshToken (camelCase) is accepted', async () => {
  const probe = await harness();
  const t = await setup({ access_token: OLD_AT, expires_at: probe.clock.now() });
  await assert.rejects(t.load(), (e: unknown) => e instanceof BrokerError && e.code === 'oauth_error' && e.message === 'CODEX_OAUTH_JSON is expired and missing refresh_token');
  assert.equal(t.mock.requests.length, 0);

  const camel = await setup({ access_token: OLD_AT, refreshToken: OLD_RT, expires: 5 });
  await camel.load();
  assert.match(camel.mock.bodyText(0), new RegExp(`&refresh_token=${OLD_RT}&`));
});

test('non-2xx → message with status and body, tokens redacted; the secret is left as it was', async () => {
  const probe = await harness();
  const doc = stale(probe);
  const t = await setup(doc, () => ({ status: 401, body: `{"error":"invalid_grant","token":"${OLD_RT}","at":"${OLD_AT}"}` }));
  await assert.rejects(t.load(), (e: unknown) => {
    assert.ok(e instanceof BrokerError);
    assert.equal(e.code, 'oauth_error');
    assert.equal(e.message, 'Codex OAuth token endpoint returned 401: {"error":"invalid_grant","token":"REDACTED","at":"REDACTED"}');
    return true;
  });
  assert.equal(await t.stored(), JSON.stringify(doc));
});

test('token response rules: JSON required, access_token required, expires_in fallback 3600 s, refresh_token kept', async () => {
  const probe = await harness();
  const notJson = await setup(stale(probe), () => ({ status: 200, body: 'nope' }));
  await assert.rejects(notJson.load(), { code: 'oauth_error', message: 'Codex OAuth token response must be JSON' });
  const noToken = await setup(stale(probe), tokenReply({ expires_in: 10 }));
  await assert.rejects(noToken.load(), { code: 'oauth_error', message: 'Codex OAuth token response missing access_token' });
  for (const expires_in of [undefined, -5, 0, 1.5, '60']) {
    const t = await setup(stale(probe), tokenReply({ access_token: NEW_AT, expires_in }));
    const doc = JSON.parse(await t.load());
    assert.equal(doc.expires_at, t.h.clock.now() + 3_600_000, `expires_in ${String(expires_in)}`);
    assert.equal(doc.refresh_token, OLD_RT);
  }
});

test('a token already expired when the exchange completes is not used (derived only if the new expiry is in the future)', async () => {
  const probe = await harness();
  let advance = (): void => undefined;
  const t = await setup(stale(probe), () => {
    advance();
    return { status: 200, body: JSON.stringify({ access_token: NEW_AT, expires_in: 1 }) };
  });
  advance = () => t.h.clock.advance(5_000);
  const before = await t.stored();
  await assert.rejects(t.load(), { code: 'oauth_error', message: 'Codex OAuth token response is already expired' });
  assert.equal(await t.stored(), before);
});

test('endpoint: https required (http only with allowHttp), literal SSRF check, dev override used', async () => {
  const probe = await harness();
  const http = await setup(stale(probe), undefined, { tokenEndpoint: 'http://auth.test/oauth/token' });
  await assert.rejects(http.load(), { code: 'oauth_error', message: 'Codex OAuth token endpoint must use https' });
  assert.equal(http.mock.requests.length, 0);

  const allowed = await setup(stale(probe), undefined, { tokenEndpoint: 'http://auth.test:8080/oauth/token', allowHttp: true });
  await allowed.load();
  assert.equal(allowed.mock.requests[0]!.url, 'http://auth.test:8080/oauth/token');

  for (const tokenEndpoint of ['https://127.0.0.1/t', 'https://localhost/t', 'https://[::1]/t', 'http://169.254.169.254/t', 'https://0x7f.1/t']) {
    const t = await setup(stale(probe), undefined, { tokenEndpoint, allowHttp: true });
    await assert.rejects(t.load(), { code: 'policy_violation', message: 'upstream host blocked by SSRF guard' }, tokenEndpoint);
    assert.equal(t.mock.requests.length, 0);
  }
  const bad = await setup(stale(probe), undefined, { tokenEndpoint: 'not a url' });
  await assert.rejects(bad.load(), { code: 'oauth_error', message: 'invalid Codex OAuth token endpoint url' });
});

test('concurrent invocations refresh a document once (one-time refresh tokens)', async () => {
  const probe = await harness();
  const gate = deferred();
  const t = await setup(stale(probe), async () => {
    await gate.promise;
    return { status: 200, body: JSON.stringify({ access_token: NEW_AT, expires_in: 7200, refresh_token: NEW_RT }) };
  });
  const a = t.load('openai:codex-oauth');
  const b = t.load('openai:codex-oauth-usage');
  while (t.mock.requests.length === 0) await new Promise((r) => setImmediate(r));
  gate.resolve();
  const [da, db] = await Promise.all([a, b]);
  assert.equal(da, db);
  assert.equal(t.mock.requests.length, 1);
  assert.equal((await t.h.vault.getSecret(t.secret.secretId)).valueVersion, 2);
});

test('timeout and network failures: aborted by the timer, reported without secrets', async () => {
  const probe = await harness();
  const t = await setup(stale(probe), (req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new Error(`aborted ${OLD_RT}`)))), { timeoutMs: 1234 });
  const pending = t.load();
  while (t.timer.pending().length === 0) await new Promise((r) => setImmediate(r));
  assert.deepEqual(t.timer.pending(), [1234]);
  t.timer.fireAll();
  await assert.rejects(pending, { code: 'oauth_error', message: 'Codex OAuth token request failed: operation timed out' });

  const failing = await setup(stale(probe), () => Promise.reject(new Error(`connect failed for ${OLD_RT}`)));
  await assert.rejects(failing.load(), { code: 'oauth_error', message: 'Codex OAuth token request failed: connect failed for REDACTED' });
  assert.deepEqual(failing.timer.pending(), [], 'the timeout timer is cancelled');
});

test('a broken document fails only when used: listing reports it, invocation derives and fails on load', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('CODEX_OAUTH_JSON', 'not json');
  const listing = await createRuntimeState({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context: {} });
  assert.ok(listing.problems.includes("registry credential 'openai:codex-oauth' skipped: CODEX_OAUTH_JSON must be JSON"));
  const mock = createMockUpstream();
  const refreshCodex = createCodexRefresher({ upstream: mock.upstream, clock: h.clock, timer: createManualTimer() });
  const rt = await createRuntimeState({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context: {}, refreshCodex });
  await assert.rejects(rt.loadSecret(rt.credentials()[0]!, 'broker.credential.load'), { code: 'vault_error', message: 'CODEX_OAUTH_JSON must be JSON' });
  assert.equal(await h.vault.valueOf(secret.secretId), 'not json');
});

test('workspace-scoped documents refresh under the call context', async () => {
  const probe = await harness();
  const t = await setup(stale(probe), undefined, {}, ws('w1'));
  assert.deepEqual((await t.invoke()).credentials(), [], 'not eligible without the workspace');
  const doc = JSON.parse(await t.load('openai:codex-oauth:ws:w1', { workspaceId: 'w1' }));
  assert.equal(doc.access_token, NEW_AT);
  assert.equal(JSON.parse(await t.stored()).access_token, NEW_AT);
});

test('the copy handed to the vault for rotation is wiped once written, and when the write fails', async () => {
  const probe = await harness();
  for (const fail of [false, true]) {
    const t = await setup(stale(probe));
    const given: Uint8Array[] = [];
    const rotate = t.h.vault.rotateSecret;
    t.h.vault.rotateSecret = async (id, value, opts) => {
      given.push(value);
      const before = dec(value);
      assert.ok(before.includes(NEW_AT), 'the vault sees the new document while it writes');
      if (fail) throw new Error('disk full');
      return rotate(id, value, opts);
    };
    if (fail) await assert.rejects(t.load(), /disk full/);
    else assert.ok((await t.load()).includes(NEW_AT));
    assert.equal(given.length, 1);
    assert.ok(given[0]!.every((b) => b === 0), `rotated copy wiped (write ${fail ? 'failed' : 'succeeded'})`);
  }
});
