// Every auth strategy: the right auth arrives upstream, and no secret shows in the result, the
// safe URL, error messages or audit events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CRED, env, harness, observable, type Harness } from './_harness.js';
import type { FakeCredential } from '../../fakes/fake-runtime-state.js';

function withAuth(auth: FakeCredential['auth'], secret: FakeCredential['secret'], extra: Partial<FakeCredential> = {}): Harness {
  return harness({ credentials: [{ ...CRED, auth, secret, ...extra }] });
}

function assertNoLeak(h: Harness, secrets: string[], ...more: unknown[]): void {
  const text = observable(h.audits, ...more);
  for (const s of secrets) assert.ok(!text.includes(s), `secret leaked: ${s.slice(0, 3)}…`);
}

test('header: the template is rendered into the named header', async () => {
  const h = withAuth({ header: { header_name: 'X-Api-Key', value_template: 'Key {{secret}} / {{secret}}' } }, 'hdr-secret-9');
  const result = await h.invoke(env());
  assert.equal(h.mock.header(0, 'x-api-key'), 'Key hdr-secret-9 / hdr-secret-9');
  assert.equal(result.planned.url, 'https://api.acme.example/v2/users');
  assertNoLeak(h, ['hdr-secret-9'], result);
});

test('query: the pair goes last, the safe URL shows REDACTED', async () => {
  const h = withAuth({ query: { param_name: 'api_key' } }, 'q s&cret');
  const result = await h.invoke(env({ path: '/v2/users?a=1' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/v2/users?a=1&api_key=q+s%26cret');
  assert.equal(result.planned.url, 'https://api.acme.example/v2/users?a=1&api_key=REDACTED');
  assertNoLeak(h, ['q s&cret', 'q+s%26cret'], result);
});

test('path: the rendered prefix goes in front, the safe URL redacts the segment', async () => {
  const h = withAuth({ path: { prefix_template: '/bot{{secret}}' } }, '123:abc', { hosts: ['api.acme.example'] });
  const result = await h.invoke(env({ path: '/v2/users/send' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/bot123:abc/v2/users/send');
  assert.equal(result.planned.url, 'https://api.acme.example/botREDACTED/v2/users/send');
  assert.equal(h.audits[0]!.path, '/v2/users/send');
  assertNoLeak(h, ['123:abc'], result);
});

test('path: a secret with / ? # is refused without echoing it', async () => {
  for (const secret of ['a/b', 'a?b', 'a#b']) {
    const h = withAuth({ path: { prefix_template: '/bot{{secret}}' } }, secret);
    const error = await h.refuse(env());
    assert.equal(error.message, 'path auth secret contains invalid characters');
    assert.equal(h.mock.requests.length, 0);
  }
});

test('basic: username:password in standard base64', async () => {
  const h = withAuth('basic', { username: 'alice', password: 'pw-secret-77' });
  const result = await h.invoke(env());
  assert.equal(h.mock.header(0, 'authorization'), `Basic ${Buffer.from('alice:pw-secret-77').toString('base64')}`);
  assertNoLeak(h, ['pw-secret-77', Buffer.from('alice:pw-secret-77').toString('base64')], result);
});

test('multi_header: one header per template, nested fields flattened with dots', async () => {
  const h = withAuth(
    { multi_header: [{ header_name: 'X-DD-API-KEY', value_template: '{{ api_key }}' }, { header_name: 'x-dd-app-key', value_template: 'app={{nested.app}}' }] },
    { api_key: 'k1-secret', nested: { app: 'k2-secret' }, n: 5 },
  );
  const result = await h.invoke(env());
  assert.equal(h.mock.header(0, 'x-dd-api-key'), 'k1-secret');
  assert.equal(h.mock.header(0, 'x-dd-app-key'), 'app=k2-secret');
  assertNoLeak(h, ['k1-secret', 'k2-secret'], result);
});

test('multi_query: pairs appended in order, every value REDACTED in the safe URL', async () => {
  const h = withAuth(
    { multi_query: [{ param_name: 'key', value_template: '{{key}}' }, { param_name: 'token', value_template: 't-{{token}}' }] },
    { key: 'mq-key-1', token: 'mq-tok-2' },
  );
  const result = await h.invoke(env({ path: '/v2/users?x=1' }));
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example/v2/users?x=1&key=mq-key-1&token=t-mq-tok-2');
  assert.equal(result.planned.url, 'https://api.acme.example/v2/users?x=1&key=REDACTED&token=REDACTED');
  assertNoLeak(h, ['mq-key-1', 'mq-tok-2'], result);
});

test('multi-field templates: unknown field is vault_unavailable, malformed templates are policy_violation', async () => {
  const cases: Array<[string, string, string]> = [
    ['{{missing}}', 'vault_unavailable', "missing secret field 'missing' for auth"],
    ['{{key', 'policy_violation', "invalid template (missing '}}')"],
    ['{{  }}', 'policy_violation', 'invalid template (empty placeholder)'],
  ];
  for (const [template, code, message] of cases) {
    const h = withAuth({ multi_header: [{ header_name: 'x-k', value_template: template }] }, { key: 'v-secret' });
    const error = await h.refuse(env());
    assert.equal(error.code, code);
    assert.equal(error.message, message);
  }
});

test('hmac: real HMAC-SHA256 over METHOD\\npath\\nsorted query, hex by default, base64 on request', async () => {
  const canonical = 'POST\n/proxy/v2/users\na=1&b=2';
  for (const [encoding, algorithm] of [['hex', 'sha256'], ['base64', 'sha512']] as const) {
    const h = withAuth(
      { hmac: { algorithm, header_name: 'x-signature', value_template: `${algorithm}={{signature}}`, encoding } },
      'hmac-key-secret',
      { upstreamPathPrefix: '/proxy' },
    );
    const result = await h.invoke(env({ method: 'POST', path: '/v2/users?b=2&a=1' }));
    const expected = createHmac(algorithm, 'hmac-key-secret').update(canonical).digest(encoding);
    assert.equal(h.mock.header(0, 'x-signature'), `${algorithm}=${expected}`);
    assertNoLeak(h, ['hmac-key-secret'], result, h.mock.requests[0]!.headers);
  }
});

test('hmac: the canonical query sorts by code point (UTF-8 byte order), not by UTF-16 unit', async () => {
  // U+FF01 (EF BC 81) sorts before U+1F600 (F0 9F 98 80) in UTF-8; UTF-16 units say the opposite.
  const h = withAuth({ hmac: { algorithm: 'sha256', header_name: 'x-signature', value_template: '{{signature}}' } }, 'hmac-key-secret');
  await h.invoke(env({ path: '/v2/users?%F0%9F%98%80=1&%EF%BC%81=2' }));
  const canonical = 'GET\n/v2/users\n\uFF01=2&\u{1F600}=1';
  assert.equal(h.mock.header(0, 'x-signature'), createHmac('sha256', 'hmac-key-secret').update(canonical).digest('hex'));
});

test('mtls: the client identity goes to the upstream client, pooled per origin + credential + cert', async () => {
  const material = { certPem: '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----', keyPem: '-----BEGIN PRIVATE KEY-----\nKEYSECRET\n-----END PRIVATE KEY-----' };
  const h = withAuth('mtls', material);
  const result = await h.invoke(env());
  const identity = h.mock.requests[0]!.clientCertificate!;
  assert.equal(identity.certPem, material.certPem);
  assert.equal(identity.keyPem, material.keyPem);
  assert.match(identity.poolKey, /^https:\/\/api\.acme\.example acme [0-9a-f]{32}$/);
  assert.ok(!h.mock.requests[0]!.headers.some(([n]) => n.startsWith('x-client-cert')));
  assertNoLeak(h, ['KEYSECRET'], result);
});

test('aws_sig_v4: signed at execution over the final body with x-amz headers and the session token', async () => {
  const h = withAuth({ aws_sig_v4: { service: 'execute-api', region: 'eu-west-1' } }, { accessKeyId: 'AKIDTEST', secretAccessKey: 'aws-secret-key-1', sessionToken: 'sess-token-1' });
  h.clock.set(Date.UTC(2024, 0, 2, 3, 4, 5));
  const result = await h.invoke(env({ method: 'POST', path: '/v2/users', body: '{"a":1}', headers: [{ name: 'content-type', value: 'application/json' }] }));
  const sha = (await import('node:crypto')).createHash('sha256').update('{"a":1}').digest('hex');
  assert.equal(h.mock.header(0, 'x-amz-date'), '20240102T030405Z');
  assert.equal(h.mock.header(0, 'x-amz-content-sha256'), sha);
  assert.equal(h.mock.header(0, 'x-amz-security-token'), 'sess-token-1');
  assert.match(
    h.mock.header(0, 'authorization')!,
    /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/20240102\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
  );
  assertNoLeak(h, ['aws-secret-key-1', 'sess-token-1'], result);
});

test('aws_sig_v4: caller-supplied x-amz-* broker headers are refused', async () => {
  const h = withAuth({ aws_sig_v4: { service: 's3', region: 'us-east-1' } }, { accessKeyId: 'A', secretAccessKey: 'S' });
  const error = await h.refuse(env({ headers: [{ name: 'X-Amz-Date', value: '20000101T000000Z' }] }));
  assert.equal(error.message, 'caller-supplied auth headers are not allowed');
});

test('material shapes: wrong shape is vault_unavailable with the contract wording, never the value', async () => {
  const cases: Array<[FakeCredential['auth'], string, string]> = [
    ['basic', 'user:pass-leak', 'basic secret must be JSON with username/password'],
    [{ aws_sig_v4: { service: 's3', region: 'us-east-1' } }, '{"access_key_id":"x-leak"}', 'aws secret must be JSON with accessKeyId/secretAccessKey'],
    ['mtls', '{"cert":"x-leak"}', 'mtls secret must be JSON with certPem/keyPem'],
    [{ multi_header: [{ header_name: 'x', value_template: '{{a}}' }] }, 'not-json-leak', 'multi-header secret must be JSON'],
    [{ multi_query: [{ param_name: 'x', value_template: '{{a}}' }] }, '["arr-leak"]', 'multi-query secret must be a JSON object'],
    [{ multi_header: [{ header_name: 'x', value_template: '{{a}}' }] }, '{"a":1,"b":null}', 'multi-header secret must include at least one field'],
    [{ o_auth2: { grant_type: 'refresh_token', token_endpoint: 'https://api.acme.example/token' } }, 'nope-leak', 'missing oauth2 secret for endpoint https://api.acme.example/token'],
  ];
  for (const [auth, secret, message] of cases) {
    const h = withAuth(auth, secret);
    const error = await h.refuse(env());
    assert.equal(error.code, 'vault_unavailable', message);
    assert.equal(error.message, message);
    assertNoLeak(h, ['leak'], error);
  }
  const bad = withAuth(CRED.auth, 'x');
  bad.fake.state.loadSecret = async () => new Uint8Array([0xff, 0xfe]);
  assert.equal((await bad.refuse(env())).message, 'secret must be utf-8');
});

test('unknown strategy encodings fail closed', async () => {
  const h = withAuth({ bearer: { token: 'x' } } as unknown as FakeCredential['auth'], 's');
  const error = await h.refuse(env());
  assert.equal(error.code, 'policy_violation');
  assert.equal(error.message, "unknown auth.type 'bearer'");
  assert.equal(h.mock.requests.length, 0);
});

test('a secret with CR/LF never reaches a header', async () => {
  const h = withAuth(CRED.auth, 'abc\r\nx-injected: 1');
  const error = await h.refuse(env());
  assert.equal(error.code, 'vault_unavailable');
  assert.equal(h.mock.requests.length, 0);
  assertNoLeak(h, ['x-injected'], error);
});
