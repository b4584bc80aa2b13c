// Edge cases broker.md and security.md spell out explicitly, each pinned by one assertion:
// path-auth and upstreamPathPrefix on `/`, render-time template rules, blocklist order, URL
// building, planned header order, OAuth expiry boundary and public clients, the redirect-hop check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAP, CRED, env, harness } from './_harness.js';
import { validateRedirectHop } from '../../../src/core/broker/target-rules.js';
import type { FakeCredential } from '../../fakes/fake-runtime-state.js';

const ROOT_CAP = { ...CAP, allow: { ...CAP.allow, pathPrefixes: ['/'] } };
const withCred = (cred: Partial<FakeCredential>, extra: Parameters<typeof harness>[0] = {}) =>
  harness({ capabilities: [ROOT_CAP], credentials: [{ ...CRED, ...cred }], ...extra });

test('§6.3 step 5 / §8.2: path auth on `/` is the rendered prefix alone; the safe URL redacts the segment', async () => {
  const h = withCred({ auth: { path: { prefix_template: '/bot{{secret}}/' } }, secret: '123:abc' });
  const root = await h.invoke(env({ path: '/' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/bot123:abc/');
  assert.equal(root.planned.url, 'https://api.acme.example/botREDACTED/');
  await h.invoke(env({ path: '/sendMessage' }));
  assert.equal(h.mock.requests[1]!.url, 'https://api.acme.example/bot123:abc/sendMessage', 'trailing / of the prefix trimmed before joining');
});

test('§6.6: upstreamPathPrefix on `/` is the prefix; path auth goes in front of the prefixed path', async () => {
  const h = withCred({ upstreamPathPrefix: '/proxy' });
  await h.invoke(env({ path: '/' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/proxy');
  const both = withCred({ upstreamPathPrefix: '/proxy', auth: { path: { prefix_template: '/bot{{secret}}' } }, secret: 'k1' });
  const result = await both.invoke(env({ path: '/send' }));
  assert.equal(both.mock.requests[0]!.url, 'https://api.acme.example/bot' + 'k1/proxy/send');
  assert.equal(result.planned.url, 'https://api.acme.example/botREDACTED/proxy/send');
  assert.equal(both.audits[0]!.path, '/send', 'the audit keeps the caller path');
});

test('§6.5: render-time multi-header / multi-query name rules', async () => {
  const cases: Array<[FakeCredential['auth'], string]> = [
    [{ multi_header: [{ header_name: 'X-A', value_template: '{{k}}' }, { header_name: ' x-a ', value_template: '{{k}}' }] }, 'multi-header auth cannot inject duplicate header names'],
    [{ multi_header: [{ header_name: '  ', value_template: '{{k}}' }] }, 'multi-header auth requires non-empty headerName'],
    [{ multi_query: [{ param_name: 'a', value_template: '{{k}}' }, { param_name: ' a ', value_template: '{{k}}' }] }, 'multi-query auth cannot inject duplicate param names'],
    [{ multi_query: [{ param_name: ' ', value_template: '{{k}}' }] }, 'multi-query auth requires non-empty paramName'],
  ];
  for (const [auth, message] of cases) {
    const h = withCred({ auth, secret: { k: 'v' } });
    const error = await h.refuse(env());
    assert.deepEqual([error.code, error.message], ['policy_violation', message]);
    assert.equal(h.mock.requests.length, 0);
  }
  // multi-query names are case-sensitive: `A` and `a` are two parameters
  const h = withCred({ auth: { multi_query: [{ param_name: 'A', value_template: '{{k}}' }, { param_name: 'a', value_template: 'x{{k}}' }] }, secret: { k: 'v' } });
  await h.invoke(env({ path: '/?b=1' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/?b=1&A=v&a=xv');
});

test('§6.5: one left-to-right pass; substituted values are never re-scanned', async () => {
  const h = withCred({ auth: { multi_header: [{ header_name: 'x-k', value_template: '<{{ a }}|{{b}}>' }] }, secret: { a: '{{b}}', b: 'B' } });
  await h.invoke(env());
  assert.equal(h.mock.header(0, 'x-k'), '<{{b}}|B>');
});

test('§9.3: blocklist entries apply in list order, every occurrence', async () => {
  const h = harness({ policies: { 'acme/users': { responseBodyBlocklist: ['abc', 'REDACTED', ' c '] } }, handler: () => ({ body: 'abc-abc-c' }) });
  assert.equal((await h.invoke(env())).response.bodyUtf8, '[[REDACTED]]-[[REDACTED]]-[REDACTED]');
});

test('§8.1: characters not allowed in a path are percent-encoded by the URL parser, existing %XX kept', async () => {
  const h = withCred({});
  await h.invoke(env({ path: '/a b/%41"<>`{}' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/a%20b/%41%22%3C%3E%60%7B%7D');
  await h.invoke(env({ path: '/x?' }));
  assert.equal(h.mock.requests[1]!.url, 'https://api.acme.example/x', 'no bare trailing ?');
});

test('§5: planned header order is caller headers, then the multipart content type, then auth headers', async () => {
  const h = withCred({ auth: { multi_header: [{ header_name: 'x-k1', value_template: '{{a}}' }, { header_name: 'x-k2', value_template: '{{b}}' }] }, secret: { a: '1', b: '2' } });
  await h.invoke(env({ method: 'POST', headers: [{ name: 'Z-Last', value: 'z' }, { name: 'A-First', value: 'a' }], multipart: { f: 'v' } }));
  assert.deepEqual(h.mock.requests[0]!.headers.map(([n]) => n), ['z-last', 'a-first', 'content-type', 'x-k1', 'x-k2', 'accept']);
});

test('§11.1: repeated and auth-bearing response headers are kept; only the reserved set is removed', async () => {
  const h = harness({
    handler: () => ({
      headers: [['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['WWW-Authenticate', 'Bearer'], ['Keep-Alive', 'x'], ['TE', 'x'], ['Trailer', 'x'], ['Upgrade', 'x'], ['Host', 'x'], ['Sec-WebSocket-Protocol', 'x']],
    }),
  });
  assert.deepEqual((await h.invoke(env())).response.headers, [
    { name: 'set-cookie', value: 'a=1' },
    { name: 'set-cookie', value: 'b=2' },
    { name: 'www-authenticate', value: 'Bearer' },
  ]);
});

test('§6.7: an access token expiring exactly now is expired (expiry must be strictly greater)', async () => {
  const endpoint = 'https://api.acme.example/token';
  const h = withCred({
    auth: { o_auth2: { grant_type: ' Client_Credentials ', token_endpoint: endpoint, scopes: [' ', ''] } },
    secret: { clientId: 'cid', clientSecret: 'cs', accessToken: 'at-old', accessTokenExpiresAtMs: 1_000 },
  }, { handler: (req) => (req.url === endpoint ? { body: '{"access_token":"at-new","expires_in":60}' } : { body: 'ok' }) });
  h.clock.set(1_000);
  await h.invoke(env());
  assert.equal(h.mock.requests[0]!.url, endpoint);
  assert.equal(h.mock.bodyText(0), 'client_id=cid&grant_type=client_credentials', 'grant trimmed and lower-cased; no scope when none remain');
  assert.equal(h.mock.header(1, 'authorization'), 'Bearer at-new');
});

test('§7.2: a blank client secret makes a public client; the write-back omits clientSecret', async () => {
  const endpoint = 'https://api.acme.example/token';
  const h = withCred({
    auth: { o_auth2: { grant_type: 'refresh_token', token_endpoint: endpoint } },
    secret: { clientId: 'cid', clientSecret: '  ', refreshToken: 'rt' },
  }, { handler: (req) => (req.url === endpoint ? { body: '{"access_token":"at","expires_in":60}' } : { body: 'ok' }) });
  await h.invoke(env());
  assert.equal(h.mock.header(0, 'authorization'), undefined);
  assert.deepEqual(JSON.parse(h.fake.writes[0]!.value), { clientId: 'cid', refreshToken: 'rt', accessToken: 'at', accessTokenExpiresAtMs: h.clock.now() + 60_000 });
});

test('security.md §4.5: the redirect-hop check blocks, or says whether auth must be stripped', () => {
  assert.throws(() => validateRedirectHop('block', 'api.acme.example', 'api.acme.example'), { code: 'policy_violation', message: 'redirects are blocked' });
  assert.equal(validateRedirectHop('revalidate', 'API.acme.example', 'api.acme.example'), false);
  assert.equal(validateRedirectHop('revalidate', 'api.acme.example', 'evil.example'), true);
});

test('§14: the conformance report claims every level; Registry follows whether a registry is loaded', async () => {
  const { conformanceLevels } = await import('../../../src/core/broker/conformance.js');
  assert.deepEqual(conformanceLevels({ registryLoaded: true }), { Core: true, OAuth2: true, WebSocket: true, Signing: true, mTLS: true, Registry: true });
  assert.equal(conformanceLevels({ registryLoaded: false }).Registry, false);
});
