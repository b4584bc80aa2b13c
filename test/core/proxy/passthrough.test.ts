// Passthrough mode (transports.md §4): the route table, the ordered steps, candidate selection
// (longest prefix, ties by ascending id, token list, credential scope), the caller's body under
// the best capability's size policy, and passthrough-style query auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from '../../../src/core/proxy/passthrough-route.js';
import type { PassthroughRequest, PassthroughResponse } from '../../../src/core/proxy/types.js';
import type { CapabilityPolicy } from '../../../src/core/registry/types.js';
import { CAPS, CTX, QSECRET, SECRET, bytes, cap, credential, refusal, setup, text } from './_setup.js';

const policy = (p: Partial<CapabilityPolicy>): CapabilityPolicy => ({ rateLimitPerMinute: null, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: [], ...p });
const req = (route: string, extra: Partial<PassthroughRequest> = {}): PassthroughRequest => ({ method: 'GET', route, headers: [], body: null, ...extra });
const ALL = CAPS.map((c) => c.id);
const ACME = ALL.filter((id) => id.startsWith('acme/'));

test('route parse: the contract table, verbatim credential segment, query kept on the upstream path', () => {
  assert.deepEqual(parseRoute('/v/openai/v1/audio/transcriptions'), { credential: 'openai', upstreamPath: '/v1/audio/transcriptions' });
  assert.deepEqual(parseRoute('/v/openai/v1/x?q=has%3Aattachment'), { credential: 'openai', upstreamPath: '/v1/x?q=has%3Aattachment' });
  assert.deepEqual(parseRoute('  /v/op%65nai/v1  '), { credential: 'op%65nai', upstreamPath: '/v1' });
  const missing = /: passthrough path must include credential and upstream path$/;
  for (const route of ['/v//v1/audio/transcriptions', '/v/openai', '/v/openai/', '/v/ /v1', '/v/openai/ ']) assert.throws(() => parseRoute(route), missing, route);
  for (const route of ['/x/openai/v1', 'v/openai/v1', '/V/openai/v1', '']) {
    assert.throws(() => parseRoute(route), (e: Error & { code?: string }) => e.code === 'invalid_request' && e.message === 'passthrough path must start with /v/{credential}/', route);
  }
});

test('a passthrough call: best capability by longest prefix, auth injected upstream, body forwarded byte for byte, audited', async () => {
  const s = await setup();
  const auth = s.as(await s.mint({ capabilities: ALL }));
  const response = (await s.proxy.passthrough(
    auth,
    req('/v/acme/v2/users?page=2&q=has%3Aattachment', { method: 'post', headers: [{ name: 'Content-Type', value: 'application/json' }, { name: 'Host', value: 'evil.example' }], body: bytes('{"na', 'me":"x"}') }),
    CTX,
  )) as PassthroughResponse;
  const body = await text(response);
  assert.equal(body, '{"ok":true}');
  assert.deepEqual(response.matchedCapabilities, ['acme/all', 'acme/users']);
  assert.deepEqual(response.planned, { capability: 'acme/users', credential: 'acme', method: 'POST', url: 'https://api.acme.example/v2/users?page=2&q=has%3Aattachment' });
  const sent = s.mock.requests[0]!;
  assert.equal(sent.url, 'https://api.acme.example/v2/users?page=2&q=has%3Aattachment');
  assert.equal(sent.method, 'POST');
  assert.equal(s.mock.bodyText(0), '{"name":"x"}');
  assert.equal(s.mock.header(0, 'authorization'), `Bearer ${SECRET}`);
  assert.equal(s.mock.header(0, 'content-type'), 'application/json');
  assert.equal(s.mock.header(0, 'host'), undefined, 'a caller Host is dropped');
  assert.ok(!JSON.stringify({ ...response, body }).includes(SECRET));
  const [event] = await s.audits();
  assert.deepEqual([event?.capability, event?.credential, event?.path, event?.method, event?.requestBytes], ['acme/users', 'acme', '/v2/users', 'POST', 12]);
});

test('candidates: the most specific prefix wins; ties go to the ascending id; all candidates listed ascending', async () => {
  const s = await setup({ capabilities: [...CAPS, cap('acme/zeta', ['GET'], ['/v3']), cap('acme/beta', ['GET'], ['/v3']), cap('acme/alpha', ['GET'], ['/v3/x'])] });
  const auth = s.as(await s.mint({ capabilities: ['acme/users', 'acme/admin', 'acme/all', 'acme/zeta', 'acme/beta', 'acme/alpha'] }));
  const admin = (await s.proxy.passthrough(auth, req('/v/acme/v2/users/admin/1'), CTX)) as PassthroughResponse;
  assert.equal(admin.planned.capability, 'acme/admin');
  assert.deepEqual(admin.matchedCapabilities, ['acme/admin', 'acme/all', 'acme/users']);
  const tie = (await s.proxy.passthrough(auth, req('/v/acme/v3/y'), CTX)) as PassthroughResponse;
  assert.equal(tie.planned.capability, 'acme/beta');
  assert.deepEqual(tie.matchedCapabilities, ['acme/beta', 'acme/zeta']);
  const longer = (await s.proxy.passthrough(auth, req('/v/acme/v3/x/1'), CTX)) as PassthroughResponse;
  assert.equal(longer.planned.capability, 'acme/alpha');
});

test('candidates are limited to the token list, the method, the provider and the credential scope (note b)', async () => {
  const s = await setup({ credentials: (ids) => [credential('acme', ids.header), credential('acme-all-only', ids.header, { capabilities: ['acme/all'] })] });
  const onlyAll = s.as(await s.mint({ capabilities: ['acme/all', 'other/thing'] }));
  assert.equal((await s.proxy.passthrough(onlyAll, req('/v/acme/v2/users'), CTX)).planned.capability, 'acme/all');
  const every = s.as(await s.mint({ capabilities: ALL }));
  assert.equal((await s.proxy.passthrough(every, req('/v/acme/v2/users', { method: 'PUT' }), CTX)).planned.capability, 'acme/all', 'only acme/all allows PUT');
  assert.equal((await s.proxy.passthrough(every, req('/v/acme-all-only/v2/users'), CTX)).planned.capability, 'acme/all', 'the credential scope filters acme/users out');
  const none = 'capability_not_found: no passthrough capability matched method/path';
  const empty = s.as(await s.mint({ capabilities: [] }));
  assert.equal(await refusal(() => s.proxy.passthrough(empty, req('/v/acme/v2/users'), CTX)), none);
  assert.equal(await refusal(() => s.proxy.passthrough(every, req('/v/acme/v9'), CTX)), none);
  assert.equal(await refusal(() => s.proxy.passthrough(every, req('/v/acme/v2/users', { method: 'DELETE' }), CTX)), none);
  const otherOnly = s.as(await s.mint({ capabilities: ['other/thing'] }));
  assert.equal(await refusal(() => s.proxy.passthrough(otherOnly, req('/v/acme/v2/users'), CTX)), none);
});

test('only the broker table counts: a capability the table lacks is no candidate', async () => {
  const s = await setup({ capabilities: [cap('acme/all', ['GET'], ['/v2'])] });
  const auth = s.as(await s.mint({ capabilities: ['acme/users', 'acme/all'] }));
  assert.deepEqual(((await s.proxy.passthrough(auth, req('/v/acme/v2/users'), CTX)) as PassthroughResponse).matchedCapabilities, ['acme/all']);
});

test('the ordered steps: token, client, route, credential, pin, path, candidates, rate limit', async () => {
  const s = await setup({ policies: [{ capabilityId: 'acme/users', policy: policy({ rateLimitPerMinute: 0 }) }] });
  const auth = s.as(await s.mint({ capabilities: ALL }));
  const pinned = s.as(await s.mint({ capabilities: ACME, credential: 'acme' }));
  const remote = { ...CTX, clientIp: '10.0.0.1' };
  assert.equal(await refusal(() => s.proxy.passthrough({ class: 'none' }, req('/x'), remote)), 'token_invalid: proxy token required');
  assert.equal(await refusal(() => s.proxy.passthrough(auth, req('/x'), remote)), 'policy_violation: non-loopback clients are rejected by default');
  assert.equal(await refusal(() => s.proxy.passthrough(auth, req('/x/acme/v2'), CTX)), 'invalid_request: passthrough path must start with /v/{credential}/');
  assert.equal(await refusal(() => s.proxy.passthrough(auth, req('/v/nope/v2/../x'), CTX)), 'credential_not_found: credential not found');
  assert.equal(await refusal(() => s.proxy.passthrough(auth, req('/v/ACME/v2/users'), CTX)), 'credential_not_found: credential not found');
  const other = await setup({ credentials: (ids) => [credential('acme', ids.header), credential('acme2', ids.header)] });
  const pin = other.as(await other.mint({ capabilities: ACME, credential: 'acme' }));
  assert.equal(await refusal(() => other.proxy.passthrough(pin, req('/v/acme2/v2/../x'), CTX)), 'policy_violation: token credential scope does not allow requested credential');
  assert.equal(await refusal(() => s.proxy.passthrough(pinned, req('/v/acme/v2/../x'), CTX)), 'policy_violation: path traversal is not allowed');
  assert.equal(await refusal(() => s.proxy.passthrough(pinned, req('/v/acme/v2/x\\y'), CTX)), 'policy_violation: path traversal is not allowed');
  assert.equal(await refusal(() => s.proxy.passthrough(auth, req('/v/acme/v9'), CTX)), 'capability_not_found: no passthrough capability matched method/path');
  assert.equal(await refusal(() => s.proxy.passthrough(auth, req('/v/acme/v2/users'), CTX)), 'policy_violation: capability rate limit exceeded');
  const passed = await s.proxy.passthrough(pinned, req('/v/acme/v2/other'), CTX);
  await text(passed);
  assert.equal(passed.planned.capability, 'acme/all', 'a pin equal to the route passes');
  assert.equal(s.mock.requests.length, 1);
  const events = await s.audits();
  assert.equal(events.at(-2)?.capability, 'acme/users', 'the refused call is audited under the best capability');
  assert.equal(events.at(-2)?.error, 'policy_violation');
  await text(await s.proxy.passthrough(pinned, req('/v/acme/v2/other?q=a\\b'), CTX));
  assert.equal(s.mock.requests.length, 2, 'a backslash after ? is no traversal: only the path part is checked (Decision 18)');
});

test('caller headers are sanitised: auth-class headers refused, duplicates refused', async () => {
  const s = await setup();
  const auth = s.as(await s.mint({ capabilities: ALL }));
  assert.equal(
    await refusal(() => s.proxy.passthrough(auth, req('/v/acme/v2/users', { headers: [{ name: 'Authorization', value: 'Bearer avp_x' }] }), CTX)),
    'policy_violation: caller-supplied auth headers are not allowed',
  );
  assert.equal(
    await refusal(() => s.proxy.passthrough(auth, req('/v/acme/v2/users', { headers: [{ name: 'x-a', value: '1' }, { name: 'X-A', value: '2' }] }), CTX)),
    'policy_violation: duplicate headers are not allowed',
  );
  assert.equal(s.mock.requests.length, 0);
});

test('query auth in passthrough style: caller pairs named like the auth parameter are removed, the broker value appended', async () => {
  const s = await setup({ credentials: (ids) => [credential('acme-q', ids.query, { auth: { query: { param_name: 'key' } } })] });
  const auth = s.as(await s.mint({ capabilities: ALL }));
  const response = await s.proxy.passthrough(auth, req('/v/acme-q/v2/users?key=caller-value&x=1&key=again'), CTX);
  await text(response);
  assert.equal(s.mock.requests[0]?.url, `https://api.acme.example/v2/users?x=1&key=${QSECRET}`);
  assert.equal(response.planned.url, 'https://api.acme.example/v2/users?x=1&key=REDACTED');
  assert.ok(!s.mock.requests[0]!.url.includes('caller-value'));
});

test('the body follows the best capability size policy; nothing goes upstream when it is too large', async () => {
  const s = await setup({ policies: [{ capabilityId: 'acme/users', policy: policy({ maxRequestBodyBytes: 5 }) }] });
  const auth = s.as(await s.mint({ capabilities: ALL }));
  assert.equal(
    await refusal(() => s.proxy.passthrough(auth, req('/v/acme/v2/users', { method: 'POST', body: bytes('abc', 'def') }), CTX)),
    'policy_violation: request body exceeds capability size limit',
  );
  assert.equal(s.mock.requests.length, 0);
  await text(await s.proxy.passthrough(auth, req('/v/acme/v2/users', { method: 'POST', body: bytes('abc', 'de') }), CTX));
  assert.equal(s.mock.bodyText(0), 'abcde');
  // the limit is the best capability's: acme/all has none
  await text(await s.proxy.passthrough(auth, req('/v/acme/v2/other', { method: 'POST', body: bytes('0123456789') }), CTX));
  assert.equal(s.mock.bodyText(1), '0123456789');
});

test('upstreamPathPrefix is applied after policy, which sees the caller path', async () => {
  const s = await setup({ credentials: (ids) => [credential('acme', ids.header, { upstreamPathPrefix: '/proxy' })] });
  const auth = s.as(await s.mint({ capabilities: ['acme/users'] }));
  const response = await s.proxy.passthrough(auth, req('/v/acme/v2/users/7'), CTX);
  await text(response);
  assert.equal(s.mock.requests[0]?.url, 'https://api.acme.example/proxy/v2/users/7');
  assert.equal((await s.audits())[0]?.path, '/v2/users/7');
});
