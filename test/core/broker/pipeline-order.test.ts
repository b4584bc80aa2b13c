// [B-PIPE]: the first failing step decides the error. Each case breaks two steps at once and
// expects the earlier one to win.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAP, CRED, env, harness, type HarnessInput } from './_harness.js';
import type { CallContext } from '../../../src/core/broker/types.js';

interface Case {
  name: string;
  envelope: unknown;
  ctx?: Partial<CallContext>;
  setup?: HarnessInput;
  message: string;
}

const QUERY_CRED = { ...CRED, auth: { query: { param_name: 'api_key' } } } as const;
const SSRF_CAP = { ...CAP, allow: { ...CAP.allow, hosts: ['127.0.0.1'] } };

const CASES: Case[] = [
  { name: '2 loopback beats 3 envelope', envelope: { capability: ' ', request: { method: 'GET', path: '/' } }, ctx: { clientIp: '10.0.0.1' }, message: 'non-loopback clients are rejected by default' },
  { name: '3 capability beats method', envelope: { capability: '', request: { method: '', path: '' } }, message: 'capability is required' },
  { name: '3 method beats path', envelope: env({ method: '', path: '' }), message: 'request.method is required' },
  { name: '3 path beats url', envelope: env({ path: ' ', url: 'https://x' }), message: 'request.path is required' },
  { name: '3 url beats body modes', envelope: env({ url: 'https://x', body: 'a', bodyFilePath: 'b' }), message: 'request.url is not allowed' },
  { name: '3 body modes beat 4 capability', envelope: { capability: 'nope', request: { method: 'GET', path: '/', body: 'a', multipart: {} } }, message: 'only one request body mode is allowed' },
  { name: '4 capability beats 6 rate limit', envelope: { capability: 'nope', request: { method: 'GET', path: '/' } }, setup: { policies: { 'nope': { rateLimitPerMinute: 0 } } }, message: 'capability not found' },
  { name: '6 rate limit beats 7 credential', envelope: env({}, { credential: 'missing' }), setup: { policies: { 'acme/users': { rateLimitPerMinute: 0 } } }, message: 'capability rate limit exceeded' },
  { name: '7 credential beats 8 traversal', envelope: env({ path: '/v2/users/../x' }, { credential: 'missing' }), message: 'credential not found' },
  { name: '8 path start beats 9 method', envelope: env({ path: 'v2', method: 'DELETE' }), message: "request.path must start with '/'" },
  { name: '8 traversal beats query decoding', envelope: env({ path: '/v2/users/..?%zz' }), message: 'path traversal is not allowed' },
  { name: '8 query decoding beats 9 method', envelope: env({ path: '/v2/users?%zz', method: 'DELETE' }), message: 'query parameter contains invalid percent encoding' },
  { name: '9 method beats 10 path', envelope: env({ path: '/admin', method: 'DELETE' }), message: 'method not allowed by capability' },
  { name: '10 path beats 11 host', envelope: env({ path: '/admin' }), setup: { credentials: [{ ...CRED, hosts: ['other.example'] }] }, message: 'path not allowed by capability' },
  { name: '11 host beats 12 SSRF', envelope: env(), setup: { capabilities: [SSRF_CAP], credentials: [{ ...CRED, hosts: ['api.acme.example'] }] }, message: 'effective host intersection is empty' },
  { name: '12 SSRF beats 13 query auth', envelope: env({ path: '/v2/users?api_key=x' }), setup: { capabilities: [SSRF_CAP], credentials: [{ ...QUERY_CRED, hosts: ['127.0.0.1'] }] }, message: 'upstream host blocked by SSRF guard' },
  { name: '13 query auth beats 15 size', envelope: env({ path: '/v2/users?api_key=x', body: 'toolong' }), setup: { credentials: [QUERY_CRED], policies: { 'acme/users': { maxRequestBodyBytes: 1 } } }, message: 'query auth parameter is broker-managed' },
  { name: '15 size beats 16 headers', envelope: env({ body: 'toolong', headers: [{ name: 'authorization', value: 'x' }] }), setup: { policies: { 'acme/users': { maxRequestBodyBytes: 3 } } }, message: 'request body exceeds capability size limit' },
  { name: '15 missing file beats 16 headers', envelope: env({ bodyFilePath: 'nope.bin', headers: [{ name: 'authorization', value: 'x' }] }), setup: { policies: { 'acme/users': { maxRequestBodyBytes: 3 } } }, message: 'bodyFilePath not accessible' },
  { name: '16 headers beat 19 path auth', envelope: env({ path: '/v2/users/bot1', headers: [{ name: 'authorization', value: 'x' }] }), setup: { credentials: [{ ...CRED, auth: { path: { prefix_template: '/v2/users/bot{{secret}}' } } }] }, message: 'caller-supplied auth headers are not allowed' },
  { name: '16 auth header beats duplicates', envelope: env({ headers: [{ name: 'x', value: '1' }, { name: 'x', value: '2' }, { name: 'authorization', value: '3' }] }), message: 'duplicate headers are not allowed' },
];

test(`pipeline order: ${CASES.length} double failures resolve to the earlier step`, async () => {
  for (const c of CASES) {
    const h = harness(c.setup ?? {});
    const error = await h.refuse(c.envelope, c.ctx);
    assert.equal(error.message, c.message, c.name);
  }
});

test('the runtime state is built only after the envelope checks pass', async () => {
  const h = harness();
  await h.refuse(env({ url: 'https://evil.example' }));
  await h.refuse(env(), { clientIp: '8.8.8.8' });
  assert.equal(h.stateCalls.length, 0);
});

test('the rate limit runs before method/path checks: refused calls still consume quota', async () => {
  const h = harness({ policies: { 'acme/users': { rateLimitPerMinute: 2 } } });
  assert.equal((await h.refuse(env({ method: 'DELETE' }))).message, 'method not allowed by capability');
  assert.equal((await h.refuse(env({ path: '/nope' }))).message, 'path not allowed by capability');
  assert.equal((await h.refuse(env())).message, 'capability rate limit exceeded');
  h.clock.advance(60_000);
  assert.equal((await h.invoke(env())).response.status, 200);
});

test('no secret is read for a call refused before auth rendering', async () => {
  const h = harness();
  await h.refuse(env({ headers: [{ name: 'authorization', value: 'x' }] }));
  assert.deepEqual(h.fake.loads, []);
});
