// Issue 4: every static auth strategy through the production stack (real vault on disk, operator
// API, Node broker service, in-process transport, undici over TLS to a loopback upstream with a
// throwaway CA). For each: the right auth arrived upstream, and the secret is in none of the
// result, the planned URL, an upstream-failure error, the audit files or stdout/stderr.
// The signing strategies, mTLS, OAuth2, redirects and SSRF are in strategies-https-signed.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AuthStrategy, BrokerResult, Envelope } from '../../src/core/index.js';
import type { RecordedRequest } from '../fakes/https-upstream.js';
import { API_HOST, assertNoSecret, startStrategyStack, type StrategyStack } from './_strategies-harness.js';

let stack: StrategyStack;
before(async () => {
  stack = await startStrategyStack();
});
after(() => stack.close());

/** Sets the strategy up, invokes `envelope`, then the same call on `/v1/hangup`; returns what the upstream got. */
async function run(
  provider: string,
  auth: AuthStrategy,
  secret: string | object,
  request: Envelope['request'],
): Promise<{ result: BrokerResult; received: RecordedRequest; error: unknown }> {
  await stack.addStrategy(provider, auth, secret);
  const capability = `${provider}/api`;
  const before = stack.upstream.requests.length;
  const result = await stack.invoke({ capability, request });
  assert.equal(result.response.status, 200);
  assert.equal(result.response.bodyUtf8, '{"ok":true}');
  assert.equal(result.planned.capability, capability);
  assert.equal(result.planned.credential, provider);
  assert.equal(stack.upstream.requests.length, before + 1, 'exactly one upstream request');
  const received = stack.upstream.requests[before]!;
  assert.equal(received.servername, API_HOST);
  assert.equal(received.headers['host'], API_HOST);
  const error = await stack.refuse({ capability, request: { ...request, path: '/v1/hangup' } });
  assert.equal(error.code, 'upstream_error');
  return { result, received, error };
}

/** The leak proof shared by every case; also checks the audit really recorded the call. */
async function assertNothingLeaked(provider: string, secrets: string[], got: { result: BrokerResult; error: unknown }): Promise<void> {
  const audit = await stack.auditText();
  assert.match(audit, new RegExp(`"capability":"${provider}/api"`), 'the audit recorded the invocation');
  assertNoSecret(secrets, {
    result: got.result,
    'planned URL': got.result.planned.url,
    'thrown error': got.error,
    'audit files': audit,
    'stdout/stderr': stack.output(),
  });
}

const header = (r: RecordedRequest, name: string) => r.headers[name.toLowerCase()];

test('header: the rendered template arrives in the named header', async () => {
  const secret = 'hdr-secret-5f1e2a';
  const got = await run('e2e-header', { header: { header_name: 'X-Api-Key', value_template: 'Key {{secret}}' } }, secret, { method: 'GET', path: '/v1/users' });
  assert.equal(header(got.received, 'x-api-key'), `Key ${secret}`);
  assert.equal(got.received.path, '/v1/users');
  assert.equal(got.result.planned.url, `https://${API_HOST}/v1/users`);
  await assertNothingLeaked('e2e-header', [secret], got);
});

test('query: the secret travels form-encoded as the last pair, the planned URL shows REDACTED', async () => {
  const secret = 'q s&cret=9d41';
  const got = await run('e2e-query', { query: { param_name: 'api_key' } }, secret, { method: 'GET', path: '/v1/search?b=2&a=1' });
  const url = new URL(got.received.path, 'https://x');
  assert.equal(url.pathname, '/v1/search');
  assert.deepEqual([...url.searchParams], [['b', '2'], ['a', '1'], ['api_key', secret]]);
  assert.equal(got.result.planned.url, `https://${API_HOST}/v1/search?b=2&a=1&api_key=REDACTED`);
  await assertNothingLeaked('e2e-query', [secret, 'q+s%26cret', 's%26cret%3D9d41'], got);
});

test('path: the rendered prefix goes in front on the wire, /botREDACTED/… in the planned URL', async () => {
  const secret = '123456:ABC-path-secret';
  const got = await run('e2e-path', { path: { prefix_template: '/bot{{secret}}' } }, secret, { method: 'POST', path: '/v1/sendMessage', body: '{"text":"hi"}' });
  assert.equal(got.received.path, `/bot${secret}/v1/sendMessage`);
  assert.equal(got.received.bodyText, '{"text":"hi"}');
  assert.equal(got.result.planned.url, `https://${API_HOST}/botREDACTED/v1/sendMessage`);
  const audit = await stack.auditText();
  assert.match(audit, /"path":"\/v1\/sendMessage"/, 'the audit keeps the caller path, not the rendered one');
  await assertNothingLeaked('e2e-path', [secret, encodeURIComponent(secret)], got);
});

test('basic: Authorization is Basic base64(username:password)', async () => {
  const material = { username: 'alice', password: 'pw-basic-secret-77' };
  const got = await run('e2e-basic', 'basic', material, { method: 'GET', path: '/v1/me' });
  const encoded = Buffer.from(`${material.username}:${material.password}`).toString('base64');
  assert.equal(header(got.received, 'authorization'), `Basic ${encoded}`);
  await assertNothingLeaked('e2e-basic', [material.password, encoded], got);
});

test('multi_header: one header per template, nested fields flattened with dots', async () => {
  const material = { api_key: 'mh-api-secret-1', nested: { app: 'mh-app-secret-2' } };
  const got = await run(
    'e2e-multi-header',
    { multi_header: [{ header_name: 'X-DD-API-KEY', value_template: '{{ api_key }}' }, { header_name: 'x-dd-app-key', value_template: 'app={{nested.app}}' }] },
    material,
    { method: 'GET', path: '/v1/metrics' },
  );
  assert.equal(header(got.received, 'x-dd-api-key'), material.api_key);
  assert.equal(header(got.received, 'x-dd-app-key'), `app=${material.nested.app}`);
  await assertNothingLeaked('e2e-multi-header', [material.api_key, material.nested.app], got);
});

test('multi_query: pairs appended in template order, every auth value REDACTED in the planned URL', async () => {
  const material = { key: 'mq-key-secret-1', token: 'mq-tok/secret+2' };
  const got = await run(
    'e2e-multi-query',
    { multi_query: [{ param_name: 'key', value_template: '{{key}}' }, { param_name: 'token', value_template: 't-{{token}}' }] },
    material,
    { method: 'GET', path: '/v1/items?x=1' },
  );
  const url = new URL(got.received.path, 'https://x');
  assert.deepEqual([...url.searchParams], [['x', '1'], ['key', material.key], ['token', `t-${material.token}`]]);
  assert.equal(got.result.planned.url, `https://${API_HOST}/v1/items?x=1&key=REDACTED&token=REDACTED`);
  await assertNothingLeaked('e2e-multi-query', [material.key, material.token, encodeURIComponent(material.token)], got);
});

/** broker.md §6.9: METHOD\npath\nsorted decoded `k=v` pairs joined by `&`, recomputed from what arrived. */
function hmacCanonical(received: RecordedRequest): string {
  const url = new URL(received.path, 'https://x');
  const pairs = [...url.searchParams].map(([k, v]) => `${k}=${v}`).sort();
  return `${received.method.toUpperCase()}\n${url.pathname}\n${pairs.join('&')}`;
}

test('hmac: HMAC-SHA256 hex over the canonical input, recomputed from what the upstream received', async () => {
  const secret = 'hmac-key-secret-hex';
  const got = await run(
    'e2e-hmac',
    { hmac: { algorithm: 'sha256', header_name: 'X-Signature', value_template: 'sha256={{signature}}' } },
    secret,
    { method: 'POST', path: '/v1/orders?b=2&a=x%20y', body: '{"n":1}' },
  );
  const canonical = hmacCanonical(got.received);
  assert.equal(canonical, 'POST\n/v1/orders\na=x y&b=2');
  const expected = createHmac('sha256', secret).update(canonical).digest('hex');
  assert.equal(header(got.received, 'x-signature'), `sha256=${expected}`);
  await assertNothingLeaked('e2e-hmac', [secret], got);
});

test('hmac: sha512 with base64 encoding when the strategy asks for it', async () => {
  const secret = 'hmac-key-secret-b64';
  const got = await run(
    'e2e-hmac-b64',
    { hmac: { algorithm: 'sha512', header_name: 'x-sig', value_template: '{{signature}}', encoding: 'base64' } },
    secret,
    { method: 'GET', path: '/v1/orders' },
  );
  const canonical = hmacCanonical(got.received);
  assert.equal(canonical, 'GET\n/v1/orders\n');
  assert.equal(header(got.received, 'x-sig'), createHmac('sha512', secret).update(canonical).digest('base64'));
  await assertNothingLeaked('e2e-hmac-b64', [secret], got);
});
