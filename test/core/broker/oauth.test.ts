// OAuth2 (broker.md §7, vault.md §14): planning refresh, skew, endpoint checks, form body order,
// confidential vs public clients, write-back, exactly one forced refresh + retry on upstream 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAP, CRED, env, harness, observable, type Harness } from './_harness.js';
import type { MockHandler } from '../../fakes/mock-upstream-fn.js';
import { runtimeCredential, type FakeCredential } from '../../fakes/fake-runtime-state.js';

const TOKEN_URL = 'https://idp.acme.example/oauth/token';
const oauthCred = (secret: Record<string, unknown>, extra: Partial<FakeCredential> = {}): FakeCredential => ({
  ...CRED,
  auth: { o_auth2: { grant_type: 'refresh_token', token_endpoint: TOKEN_URL, scopes: [' read ', '', 'write'] } },
  hosts: ['api.acme.example', 'idp.acme.example'],
  secret,
  ...extra,
});

/** Token endpoint answers with `tokens` in turn; the API answers 200 unless `apiStatus` says otherwise. */
function idp(tokens: string[], apiStatus: (n: number) => number = () => 200): MockHandler {
  let t = 0;
  let api = 0;
  return (req) => {
    if (req.url === TOKEN_URL) return { status: 200, body: JSON.stringify({ access_token: tokens[t++] ?? 'tok-x', expires_in: 3600, refresh_token: `rt-new-${t}` }) };
    const status = apiStatus(api++);
    return { status, body: status === 401 ? 'unauthorized-body' : 'ok-body' };
  };
}

function tokenCalls(h: Harness) {
  return h.mock.requests.filter((r) => r.url === TOKEN_URL);
}

test('a live access token is used as a bearer header without a token call', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'at-live', accessTokenExpiresAtMs: 2e12 })], handler: idp([]) });
  await h.invoke(env());
  assert.equal(tokenCalls(h).length, 0);
  assert.equal(h.mock.header(0, 'authorization'), 'Bearer at-live');
});

test('expired token: refresh with the form body in contract order, Basic for a confidential client, write-back', async () => {
  const h = harness({
    credentials: [oauthCred({ clientId: 'cid', clientSecret: 'cs-secret', refreshToken: 'rt-1', accessToken: 'at-old', accessTokenExpiresAtMs: 1, extra: 'dropped' })],
    handler: idp(['at-new']),
  });
  const result = await h.invoke(env());
  const token = tokenCalls(h)[0]!;
  assert.equal(token.method, 'POST');
  assert.equal(new TextDecoder().decode(token.body!), 'client_id=cid&grant_type=refresh_token&refresh_token=rt-1&scope=read+write');
  assert.equal(token.headers.find(([n]) => n === 'content-type')?.[1], 'application/x-www-form-urlencoded');
  assert.equal(token.headers.find(([n]) => n === 'authorization')?.[1], `Basic ${Buffer.from('cid:cs-secret').toString('base64')}`);
  assert.equal(h.mock.requests[1]!.headers.find(([n]) => n === 'authorization')?.[1], 'Bearer at-new');
  assert.deepEqual(JSON.parse(h.fake.writes[0]!.value), {
    clientId: 'cid', clientSecret: 'cs-secret', refreshToken: 'rt-new-1', accessToken: 'at-new', accessTokenExpiresAtMs: h.clock.now() + 3_600_000,
  });
  assert.deepEqual(Object.keys(JSON.parse(h.fake.writes[0]!.value)), ['clientId', 'clientSecret', 'refreshToken', 'accessToken', 'accessTokenExpiresAtMs']);
  assert.ok(h.fake.loads.some((l) => l.purpose === 'broker.auth.oauth2.refresh'));
  const text = observable(result, h.audits);
  for (const s of ['at-new', 'cs-secret', 'rt-1', 'rt-new-1']) assert.ok(!text.includes(s));
});

test('public client: no Authorization header on the token call; client_credentials needs a secret', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1' })], handler: idp(['at-1']) });
  await h.invoke(env());
  assert.equal(tokenCalls(h)[0]!.headers.some(([n]) => n === 'authorization'), false);
  const cc = harness({
    credentials: [oauthCred({ clientId: 'cid', clientSecret: '  ' }, { auth: { o_auth2: { grant_type: 'client_credentials', token_endpoint: TOKEN_URL } } })],
    handler: idp(['at-1']),
  });
  const error = await cc.refuse(env());
  assert.equal(error.code, 'oauth_error');
  assert.equal(error.message, 'missing oauth2 client secret');
});

test('two consecutive invocations cause exactly one token call (cached until expiry)', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1' })], handler: idp(['at-1', 'at-2']) });
  await h.invoke(env());
  await h.invoke(env());
  assert.equal(tokenCalls(h).length, 1);
  assert.equal(h.mock.requests[2]!.headers.find(([n]) => n === 'authorization')?.[1], 'Bearer at-1');
});

test('upstream 401 on a stored OAuth2 credential: one forced refresh, one retry, the first body discarded', async () => {
  const h = harness({
    credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'at-live', accessTokenExpiresAtMs: 2e12 })],
    handler: idp(['at-forced'], (n) => (n === 0 ? 401 : 200)),
  });
  const result = await h.invoke(env());
  assert.equal(result.response.status, 200);
  assert.equal(result.response.bodyUtf8, 'ok-body');
  assert.equal(tokenCalls(h).length, 1, 'forced refresh ignores the still-valid token');
  assert.equal(h.mock.requests.length, 3);
  assert.equal(h.mock.requests[2]!.headers.find(([n]) => n === 'authorization')?.[1], 'Bearer at-forced');
});

test('a retry that is 401 again is returned as is: exactly one refresh and one retry', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'a', accessTokenExpiresAtMs: 2e12 })], handler: idp(['b', 'c'], () => 401) });
  const result = await h.invoke(env());
  assert.equal(result.response.status, 401);
  assert.equal(tokenCalls(h).length, 1);
  assert.equal(h.mock.requests.length, 3);
});

test('streaming: the held 401 body is never emitted when the retry happens', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'a', accessTokenExpiresAtMs: 2e12 })], handler: idp(['b'], (n) => (n === 0 ? 401 : 200)) });
  const body = Buffer.concat(await h.stream(env())).toString();
  assert.equal(body, 'ok-body');
  assert.equal(tokenCalls(h).length, 1);
});

test('registry-derived OAuth2 credentials and non-OAuth credentials return the 401 unchanged', async () => {
  const reg = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt', accessToken: 'a', accessTokenExpiresAtMs: 2e12 }, { source: 'registry' })], handler: idp([], () => 401) });
  assert.equal((await reg.invoke(env())).response.status, 401);
  assert.equal(tokenCalls(reg).length, 0);
  const plain = harness({ handler: () => ({ status: 401, body: 'nope' }) });
  assert.equal(Buffer.concat(await plain.stream(env())).toString(), 'nope');
  assert.equal(plain.mock.requests.length, 1);
});

test('token endpoint checks fail closed before any network call', async () => {
  const cases: Array<[string, string[], string, string]> = [
    ['not a url', ['api.acme.example'], 'oauth_error', 'invalid oauth2 tokenEndpoint url'],
    ['http://idp.acme.example/token', ['api.acme.example', 'idp.acme.example'], 'oauth_error', 'oauth2 tokenEndpoint must use https'],
    ['https://idp.acme.example:8443/token', ['api.acme.example', 'idp.acme.example'], 'oauth_error', 'oauth2 tokenEndpoint non-default port not allowed'],
    ['https://evil.example/token', ['api.acme.example'], 'oauth_error', 'oauth2 tokenEndpoint host is not allowed by credential hosts'],
    ['https://127.0.0.1/token', ['api.acme.example', '127.0.0.1'], 'policy_violation', 'upstream host blocked by SSRF guard'],
  ];
  for (const [endpoint, hosts, code, message] of cases) {
    const h = harness({
      capabilities: [{ ...CAP, allow: { ...CAP.allow, hosts: ['api.acme.example'] } }],
      credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt' }, { hosts, auth: { o_auth2: { grant_type: 'refresh_token', token_endpoint: endpoint } } })],
      handler: idp(['x']),
    });
    const error = await h.refuse(env());
    assert.deepEqual([error.code, error.message], [code, message], endpoint);
    assert.equal(h.mock.requests.length, 0);
  }
});

test('token response errors and consent grants', async () => {
  const replies: Array<[number, string, string]> = [
    [400, '{"error":"invalid_grant"}', 'oauth2 token endpoint returned 400: {"error":"invalid_grant"}'],
    [302, '', 'oauth2 token endpoint returned 302: '],
    [200, 'not json', 'oauth2 token response must be JSON'],
    [200, '{"expires_in":10}', 'oauth2 token response missing access_token'],
    [200, '{"access_token":"x","expires_in":"10"}', 'oauth2 token response missing expires_in'],
  ];
  for (const [status, body, message] of replies) {
    const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt' })], handler: () => ({ status, body }) });
    const error = await h.refuse(env());
    assert.deepEqual([error.code, error.message], ['oauth_error', message]);
    assert.equal(h.fake.writes.length, 0);
  }
  const missing = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: ' ' })], handler: idp(['x']) });
  assert.equal((await missing.refuse(env())).message, 'missing oauth2 refresh token');
  const noId = harness({ credentials: [oauthCred({ clientId: ' ', refreshToken: 'rt' })], handler: idp(['x']) });
  assert.equal((await noId.refuse(env())).message, 'missing oauth2 client id');
  const consent = harness({ credentials: [oauthCred({ clientId: 'c' }, { auth: { o_auth2: { grant_type: 'authorization_code', token_endpoint: TOKEN_URL } } })] });
  assert.equal((await consent.refuse(env())).message, 'oauth2 consent/setup flow must happen outside broker');
});

test('a token endpoint that echoes the refresh token never leaks it into the error', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', clientSecret: 'csecret-1', refreshToken: 'rt-echo-me' })], handler: () => ({ status: 400, body: 'bad token rt-echo-me for csecret-1' }) });
  const error = await h.refuse(env());
  assert.equal(error.message, 'oauth2 token endpoint returned 400: bad token REDACTED for REDACTED');
});

test('a refreshed token is reused by later calls until it expires', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt', accessToken: 'a', accessTokenExpiresAtMs: 1 })], handler: idp(['fresh']) });
  // Expired at planning → refresh; a later call within the new lifetime needs no token call.
  await h.invoke(env());
  h.clock.advance(3_600_000 - 300_001);
  await h.invoke(env());
  assert.equal(tokenCalls(h).length, 1);
});

test('a token endpoint that grants an already-expired token is an oauth_error, never the internal signal', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt' })], handler: () => ({ status: 200, body: '{"access_token":"at","expires_in":0}' }) });
  const error = await h.refuse(env());
  assert.deepEqual([error.code, error.message], ['oauth_error', `oauth2 access token missing or expired for ${TOKEN_URL}`]);
});

test('the 401 retry re-plans the original envelope from scratch (fresh state, policy again), counting the rate quota once', async () => {
  const cred = oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'at-live', accessTokenExpiresAtMs: 2e12 });
  let h!: Harness;
  const first = idp(['at-forced'], (n) => (n === 0 ? 401 : 200));
  h = harness({
    credentials: [cred],
    policies: { 'acme/users': { rateLimitPerMinute: 1 } },
    handler: (req, i) => {
      // Between the two attempts the operator moved the credential behind a prefix: the retry sees it.
      if (i === 0) h.fake.state.credentials = () => [runtimeCredential({ ...cred, upstreamPathPrefix: '/moved' })];
      return first(req, i);
    },
  });
  const result = await h.invoke(env({ path: '/v2/users?x=1' }));
  assert.equal(result.response.status, 200);
  assert.equal(h.stateCalls.length, 2, 'a fresh runtime state view for the retry');
  assert.deepEqual(h.mock.requests.map((r) => r.url), [
    'https://api.acme.example/v2/users?x=1',
    TOKEN_URL,
    'https://api.acme.example/moved/v2/users?x=1',
  ]);
  assert.equal(h.mock.requests[2]!.headers.find(([n]) => n === 'authorization')?.[1], 'Bearer at-forced');
  assert.equal(result.planned.url, 'https://api.acme.example/moved/v2/users?x=1');
  assert.equal(h.audits.length, 1);
  assert.equal(h.audits[0]!.status, 200);
  // The call took one unit of quota, not two: the next call is the one refused.
  assert.equal((await h.refuse(env())).message, 'capability rate limit exceeded');
});

test('the 401 retry fails with the re-plan\'s error when policy changed in between, after exactly one refresh', async () => {
  const cred = oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'at-live', accessTokenExpiresAtMs: 2e12 });
  let h!: Harness;
  const first = idp(['at-forced'], () => 401);
  h = harness({
    credentials: [cred],
    handler: (req, i) => {
      if (i === 0) h.fake.state.credentials = () => [runtimeCredential({ ...cred, capabilities: ['acme/other'] })];
      return first(req, i);
    },
  });
  for (const stream of [false, true]) {
    h.fake.state.credentials = () => [runtimeCredential(cred)];
    h.mock.requests.length = 0;
    const error = stream ? await h.stream(env()).then(() => undefined, (e: unknown) => e) : await h.refuse(env());
    assert.equal((error as Error).message, 'no credential for capability provider');
    assert.equal(tokenCalls(h).length, 1);
    assert.equal(h.mock.requests.length, 2, 'no second upstream call');
  }
});

test('a forced refresh whose token is already expired fails the retry with oauth_error, never a second refresh', async () => {
  let token = 0;
  const h = harness({
    credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1', accessToken: 'at-live', accessTokenExpiresAtMs: 2e12 })],
    handler: (req) => {
      if (req.url === TOKEN_URL) return { status: 200, body: JSON.stringify({ access_token: `t${token++}`, expires_in: 0 }) };
      return { status: 401, body: 'no' };
    },
  });
  const error = await h.refuse(env());
  assert.deepEqual([error.code, error.message], ['oauth_error', `oauth2 access token missing or expired for ${TOKEN_URL}`]);
  assert.equal(tokenCalls(h).length, 1);
});

test('a failed write-back wipes the refreshed material and fails the call', async () => {
  const h = harness({ credentials: [oauthCred({ clientId: 'cid', refreshToken: 'rt-1' })], handler: idp(['at-new']) });
  const given: Uint8Array[] = [];
  h.fake.state.writeSecret = async (_credential, value) => {
    given.push(value);
    throw new Error('disk full');
  };
  assert.equal((await h.refuse(env())).code, 'internal');
  assert.equal(given.length, 1);
  assert.ok(given[0]!.every((b) => b === 0));
  assert.equal(h.mock.requests.length, 1, 'only the token call');
});
