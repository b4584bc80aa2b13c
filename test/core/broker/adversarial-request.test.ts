// Adversarial caller input, each refused with the contract's code and message: traversal
// encodings, query encodings, broker-managed query params, header smuggling, request.url,
// body modes, envelope strictness, path-auth prefix, non-loopback clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRED, env, harness, observable } from './_harness.js';
import type { FakeCredential } from '../../fakes/fake-runtime-state.js';
import type { CallContext } from '../../../src/core/broker/types.js';

interface Row {
  name: string;
  envelope: unknown;
  code: string;
  message: string;
  auth?: FakeCredential['auth'];
  ctx?: Partial<CallContext>;
}

const T = 'path traversal is not allowed';
const INV = (m: string) => ({ code: 'invalid_request', message: m });
const PV = (m: string) => ({ code: 'policy_violation', message: m });
const QUERY_AUTH: FakeCredential['auth'] = { query: { param_name: 'api_key' } };
const MULTI_QUERY: FakeCredential['auth'] = { multi_query: [{ param_name: 'key', value_template: '{{k}}' }, { param_name: 'sig', value_template: '{{k}}' }] };
const HEADER_AUTH: FakeCredential['auth'] = { header: { header_name: 'X-Api-Key', value_template: '{{secret}}' } };
const MULTI_HEADER: FakeCredential['auth'] = { multi_header: [{ header_name: 'x-dd-api-key', value_template: '{{k}}' }] };
const HMAC_AUTH: FakeCredential['auth'] = { hmac: { algorithm: 'sha256', header_name: 'X-Signature', value_template: '{{signature}}' } };
const PATH_AUTH: FakeCredential['auth'] = { path: { prefix_template: '/v2/users/bot{{secret}}' } };
const p = (path: string) => env({ path });
const h = (...headers: Array<[string, string]>) => env({ headers: headers.map(([name, value]) => ({ name, value })) });

const ROWS: Row[] = [
  // traversal (security.md §3, Decision 16)
  ...[
    '/v2/users/../admin', '/v2/users/./x', '/v2/users/..', '/v2/users/.', '/v2/users/x/../../etc/passwd', '/v2/users/%2e%2e/admin',
    '/v2/users/%2E%2E/admin', '/v2/users/.%2e/x', '/v2/users/%2e./x', '/v2/users/%2e/x', '/v2/users/report.%2ecsv', '/v2/users/%2E',
    '/v2/users\\..\\admin', '/v2/users\\x', '/v2/users/a\\b?x=1', '\\v2/users', '/v2/users/..?q=1', '/v2/users/./', '/v2/users//../x',
    '  /v2/users/../x  ', '/v2/users/%2e%2e%5cadmin', '/v2/users/x/..', '/v2/users/x\\',
  ].map((path) => ({ name: `traversal ${path}`, envelope: p(path), ...PV(T) })),
  // path shape and prefix
  { name: 'relative path', envelope: p('v2/users'), ...INV("request.path must start with '/'") },
  { name: 'absolute URL as path', envelope: p('https://evil.example/v2/users'), ...INV("request.path must start with '/'") },
  { name: 'blank path', envelope: p('   '), ...INV('request.path is required') },
  { name: 'prefix case differs', envelope: p('/V2/users'), ...PV('path not allowed by capability') },
  { name: 'double slash before prefix', envelope: p('//v2/users'), ...PV('path not allowed by capability') },
  { name: 'prefix only partly present', envelope: p('/v2/user'), ...PV('path not allowed by capability') },
  { name: 'prefix after another segment', envelope: p('/x/v2/users'), ...PV('path not allowed by capability') },
  { name: 'encoded slash prefix', envelope: p('/v2%2fusers'), ...PV('path not allowed by capability') },
  { name: 'method not allowed', envelope: env({ method: 'DELETE' }), ...PV('method not allowed by capability') },
  { name: 'method with spaces still checked', envelope: env({ method: ' put ' }), ...PV('method not allowed by capability') },
  // query decode-once (broker.md §3.5)
  ...['%zz', '%', '%4', 'a=%G1', 'a=b%', 'x%2=1'].map((q) => ({ name: `bad percent ${q}`, envelope: p(`/v2/users?${q}`), ...INV('query parameter contains invalid percent encoding') })),
  ...['%C3%28', '%FF', 'a=%80', '%ED%A0%80=1', 'a=%E2%82'].map((q) => ({ name: `bad utf-8 ${q}`, envelope: p(`/v2/users?${q}`), ...INV('query parameter contains invalid utf-8') })),
  // broker-managed query parameters (security.md §7.3)
  ...['api_key=x', 'api_key', 'a=1&api_key=', 'api%5Fkey=x', 'api_ke%79=1', 'x=1&api_key=2&y=3'].map((q) => ({
    name: `query auth ${q}`, envelope: p(`/v2/users?${q}`), auth: QUERY_AUTH, ...PV('query auth parameter is broker-managed'),
  })),
  ...['key=1', 'sig', 'a=b&%73ig=1'].map((q) => ({
    name: `multi-query ${q}`, envelope: p(`/v2/users?${q}`), auth: MULTI_QUERY, ...PV('multi-query auth parameter is broker-managed'),
  })),
  // auth-class and strategy-managed headers, duplicates (security.md §7.2)
  ...[['Authorization', 'Bearer x'], [' authorization ', 'x'], ['AUTHORIZATION', 'x'], ['Proxy-Authorization', 'x'], ['proxy-authorization ', 'x'], ['authorization', '']].map(
    (hd) => ({ name: `auth header ${hd[0]}`, envelope: h(hd as [string, string]), ...PV('caller-supplied auth headers are not allowed') }),
  ),
  ...['x-api-key', 'X-API-KEY', ' X-Api-Key'].map((n) => ({ name: `header strategy ${n}`, envelope: h([n, 'k']), auth: HEADER_AUTH, ...PV('caller-supplied auth headers are not allowed') })),
  { name: 'multi-header managed name', envelope: h(['X-DD-API-KEY', 'k']), auth: MULTI_HEADER, ...PV('caller-supplied auth headers are not allowed') },
  { name: 'hmac managed name', envelope: h(['x-signature', 'forged']), auth: HMAC_AUTH, ...PV('caller-supplied auth headers are not allowed') },
  { name: 'auth header hidden after reserved ones', envelope: h(['host', 'evil'], ['authorization', 'x']), ...PV('caller-supplied auth headers are not allowed') },
  ...[[['x-a', '1'], ['x-a', '2']], [['X-A', '1'], ['x-a', '2']], [['x-a', '1'], [' x-a ', '2']], [['accept', '*/*'], ['Accept', 'text/html']], [['cookie', 'a'], ['Cookie', 'b']]].map(
    (pair, i) => ({ name: `duplicate headers #${i}`, envelope: h(...(pair as Array<[string, string]>)), ...PV('duplicate headers are not allowed') }),
  ),
  // request.url and body modes (broker.md §3.3-§3.4)
  { name: 'request.url', envelope: env({ url: 'https://evil.example/' }), ...PV('request.url is not allowed') },
  { name: 'request.url empty string', envelope: env({ url: '' }), ...PV('request.url is not allowed') },
  { name: 'request.url with a bad method too', envelope: env({ url: 'x', method: 'DELETE' }), ...PV('request.url is not allowed') },
  ...[
    { body: 'a', multipart: {} },
    { body: '', bodyFilePath: 'x' },
    { multipart: { a: 'b' }, bodyFilePath: 'x' },
    { body: 'a', multipartFiles: [{ field: 'f', path: 'x' }] },
    { multipartFiles: [{ field: 'f', path: 'x' }], bodyFilePath: 'y' },
    { body: 'a', multipart: {}, bodyFilePath: 'z' },
  ].map((body, i) => ({ name: `body modes #${i}`, envelope: env(body), ...PV('only one request body mode is allowed') })),
  // envelope strictness (broker.md §3.2)
  { name: 'unknown top-level field', envelope: { ...env(), token: 'x' }, ...INV('invalid envelope JSON: unknown field `token` in envelope') },
  { name: 'unknown request field', envelope: env({ host: 'evil.example' }), ...INV('invalid envelope JSON: unknown field `host` in request') },
  { name: 'unknown multipartFiles field', envelope: env({ multipartFiles: [{ field: 'f', path: 'p', mode: 1 }] }), ...INV('invalid envelope JSON: unknown field `mode` in request.multipartFiles.0') },
  { name: 'missing capability', envelope: { request: { method: 'GET', path: '/' } }, ...INV('invalid envelope JSON: missing field `capability`') },
  { name: 'missing request', envelope: { capability: 'acme/users' }, ...INV('invalid envelope JSON: missing field `request`') },
  { name: 'missing method', envelope: { capability: 'acme/users', request: { path: '/v2/users' } }, ...INV('invalid envelope JSON: missing field `request.method`') },
  { name: 'headers not an array', envelope: env({ headers: { authorization: 'x' } }), ...INV('invalid envelope JSON: invalid type at `request.headers`: expected array') },
  { name: 'header value not a string', envelope: env({ headers: [{ name: 'a', value: 1 }] }), ...INV('invalid envelope JSON: invalid type at `request.headers.0.value`: expected string') },
  { name: 'numeric capability', envelope: { capability: 7, request: { method: 'GET', path: '/' } }, ...INV('invalid envelope JSON: invalid type at `capability`: expected string') },
  { name: 'envelope is an array', envelope: [], ...INV('invalid envelope JSON: invalid type at `envelope`: expected object') },
  { name: 'blank capability', envelope: { capability: '  ', request: { method: 'GET', path: '/' } }, ...INV('capability is required') },
  { name: 'blank method', envelope: env({ method: ' ' }), ...INV('request.method is required') },
  // path-auth prefix ownership (security.md §7.4)
  { name: 'path auth prefix supplied', envelope: p('/v2/users/bot123/send'), auth: PATH_AUTH, ...PV('caller-supplied path includes broker-managed auth prefix') },
  { name: 'path auth prefix as plain string prefix', envelope: p('/v2/users/botany'), auth: PATH_AUTH, ...PV('caller-supplied path includes broker-managed auth prefix') },
  // non-loopback clients (security.md §10)
  ...['10.0.0.1', '8.8.8.8', '::ffff:127.0.0.1', 'localhost', 'garbage', '', '128.0.0.1', '::2', '0.0.0.0'].map((ip) => ({
    name: `client ${ip || '(empty)'}`, envelope: env(), ctx: { clientIp: ip }, ...PV('non-loopback clients are rejected by default'),
  })),
];

test(`adversarial request table: ${ROWS.length} inputs refused with the contract's code and message`, async () => {
  assert.ok(ROWS.length >= 100, `only ${ROWS.length} rows`);
  for (const row of ROWS) {
    const hh = harness({ credentials: [{ ...CRED, ...(row.auth ? { auth: row.auth } : {}), secret: row.auth && 'multi_query' in (row.auth as object) || row.auth && 'multi_header' in (row.auth as object) ? { k: 'v' } : 'sek' }] });
    const error = await hh.refuse(row.envelope, row.ctx);
    assert.deepEqual({ code: error.code, message: error.message }, { code: row.code, message: row.message }, row.name);
    assert.equal(hh.mock.requests.length, 0, `${row.name}: nothing may reach the upstream`);
    assert.equal(hh.audits.length, 1, `${row.name}: refused calls are audited`);
    assert.equal(hh.audits[0]!.error, row.code, row.name);
    assert.ok(!observable(error, hh.audits).includes('sek'), row.name);
  }
});

test('controls: near-misses the rules must accept', async () => {
  const accepted = [
    '/v2/users/..%2fadmin', '/v2/users/%252e%252e', '/v2/users/%5c', '/v2/users/...', '/v2/users/.hidden', '/v2/users?x=../..', '/v2/users?x=%5C',
    '/v2/users/a%2Fb', '/v2/usersXYZ', '/v2/users?x=a\\b', // Decision 18: only the path part is checked for a backslash
  ];
  for (const path of accepted) {
    const hh = harness();
    const result = await hh.invoke(p(path));
    assert.equal(result.response.status, 200, path);
  }
  const hq = harness({ credentials: [{ ...CRED, auth: QUERY_AUTH, secret: 'sek' }] });
  await hq.invoke(p('/v2/users?API_KEY=mine&api_key2=x'));
  assert.equal(hq.mock.requests[0]!.url, 'https://api.acme.example/v2/users?API_KEY=mine&api_key2=x&api_key=sek');
});

test('reserved caller headers are dropped silently, names lower-cased, values kept', async () => {
  const hh = harness();
  await hh.invoke(h(['Host', 'evil.example'], ['Connection', 'close'], ['Keep-Alive', '1'], ['TE', 'trailers'], ['Trailer', 'x'], ['Transfer-Encoding', 'chunked'], ['Upgrade', 'h2c'], ['Content-Length', '99'], ['Sec-WebSocket-Key', 'k'], ['', 'empty'], ['X-Keep', ' Value ']));
  assert.deepEqual(hh.mock.requests[0]!.headers, [['x-keep', ' Value '], ['authorization', 'Bearer sk-live-SECRET-1234'], ['accept', '*/*']]);
});

test('decode-once: the upstream sees each pair encoded exactly once, order kept, auth last', async () => {
  const hh = harness({ credentials: [{ ...CRED, auth: QUERY_AUTH, secret: 'k' }] });
  await hh.invoke(p('/v2/users?q=has%3Aattachment&label=a%26b&space=a+b&x=1&flag&&pct=%2520&hash=a#b'));
  assert.equal(hh.mock.requests[0]!.url, 'https://api.acme.example/v2/users?q=has%3Aattachment&label=a%26b&space=a+b&x=1&flag=&pct=%2520&hash=a%23b&api_key=k');
});
