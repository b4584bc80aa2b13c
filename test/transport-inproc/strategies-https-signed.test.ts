// Issue 4, second half: AWS SigV4 (signature recomputed independently), mTLS (the upstream saw the
// client certificate), OAuth2 refresh_token (one token exchange, cached token reused, secret
// rotated), redirects returned as is, and the connect-time SSRF guard, all through the production
// stack. Every case also proves the secret is in none of the result, the planned URL, errors, the
// audit files or stdout/stderr.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { renderErrorText, type BrokerResult } from '../../src/core/index.js';
import { createCredential } from '../../src/core/runtime/operator/index.js';
import type { RecordedRequest } from '../fakes/https-upstream.js';
import { API_HOST, AUTH_HOST, OTHER_HOST, assertNoSecret, startStrategyStack, tokenResponse, type StrategyStack } from './_strategies-harness.js';

let stack: StrategyStack;
before(async () => {
  stack = await startStrategyStack();
});
after(() => stack.close());

async function assertNothingLeaked(capability: string, secrets: string[], places: { result?: BrokerResult; error?: unknown }): Promise<void> {
  const audit = await stack.auditText();
  assert.match(audit, new RegExp(`"capability":"${capability}"`), 'the audit recorded the invocation');
  assertNoSecret(secrets, {
    ...(places.result ? { result: places.result, 'planned URL': places.result.planned.url } : {}),
    ...(places.error ? { 'thrown error': places.error } : {}),
    'audit files': audit,
    'stdout/stderr': stack.output(),
  });
}

const since = (n: number) => stack.upstream.requests.slice(n);

// --- an independent SigV4 (AWS docs, "Create a signed AWS API request"), for the check only ---

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmacRaw = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function recomputeSigV4(received: RecordedRequest, signedHeaders: string[], secretAccessKey: string, region: string, service: string): string {
  const url = new URL(received.path, 'https://x');
  // Every service but S3 encodes the (already encoded) path segments once more.
  const canonicalUri = url.pathname.split('/').map((segment) => rfc3986(segment)).join('/');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${String(received.headers[name]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const amzDate = String(received.headers['x-amz-date']);
  const canonicalRequest = [received.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), sha256Hex(received.body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmacRaw(`AWS4${secretAccessKey}`, amzDate.slice(0, 8));
  for (const part of [region, service, 'aws4_request']) key = hmacRaw(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

test('aws_sig_v4: a genuine SigV4 signature over the final body, recomputed from what arrived', async () => {
  const material = { accessKeyId: 'AKIDE2ETEST0001', secretAccessKey: 'aws-secret-key-e2e/+Zq', sessionToken: 'aws-session-token-e2e' };
  await stack.addStrategy('e2e-aws', { aws_sig_v4: { service: 'execute-api', region: 'eu-west-1' } }, material);
  const body = '{"items":[1,2,3]}';
  const before = stack.upstream.requests.length;
  const startedAt = Date.now();
  const result = await stack.invoke({
    capability: 'e2e-aws/api',
    request: { method: 'POST', path: '/v1/things?z=9&a=x%20y', body, headers: [{ name: 'content-type', value: 'application/json' }] },
  });
  assert.equal(result.response.status, 200);
  const [received] = since(before);
  assert.ok(received && since(before).length === 1);
  assert.equal(received.bodyText, body);
  assert.equal(received.headers['x-amz-content-sha256'], sha256Hex(body));
  assert.equal(received.headers['x-amz-security-token'], material.sessionToken);
  const amzDate = String(received.headers['x-amz-date']);
  assert.match(amzDate, /^\d{8}T\d{6}Z$/);
  const signedAt = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  assert.ok(Math.abs(signedAt - startedAt) < 60_000, 'x-amz-date is the signing time');

  const auth = String(received.headers['authorization']);
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  assert.ok(m, 'Authorization has the SigV4 structure');
  const [, akid, date, region, service, signed, signature] = m;
  assert.deepEqual([akid, date, region, service], [material.accessKeyId, amzDate.slice(0, 8), 'eu-west-1', 'execute-api']);
  const signedHeaders = signed!.split(';');
  for (const name of ['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'content-type']) assert.ok(signedHeaders.includes(name), `${name} is signed`);
  for (const name of signedHeaders) assert.notEqual(received.headers[name], undefined, `signed header ${name} arrived`);
  assert.equal(signature, recomputeSigV4(received, signedHeaders, material.secretAccessKey, 'eu-west-1', 'execute-api'));
  for (const [name, value] of received.rawHeaders) assert.ok(!value.includes(material.secretAccessKey), `the secret access key is not in ${name}`);

  const error = await stack.refuse({ capability: 'e2e-aws/api', request: { method: 'POST', path: '/v1/hangup', body } });
  assert.equal(error.code, 'upstream_error');
  await assertNothingLeaked('e2e-aws/api', [material.secretAccessKey, material.sessionToken], { result, error });
});

test('mtls: the upstream saw the client certificate from the secret, and no placeholder header', async () => {
  const identity = await stack.upstream.issueClientCertificate('aivault-e2e-client');
  await stack.addStrategy('e2e-mtls', 'mtls', { certPem: identity.certPem, keyPem: identity.keyPem });
  const before = stack.upstream.requests.length;
  const result = await stack.invoke({ capability: 'e2e-mtls/api', request: { method: 'GET', path: '/v1/whoami' } });
  assert.equal(result.response.status, 200);
  const [received] = since(before);
  assert.deepEqual(received?.clientCertificate, { subjectCN: 'aivault-e2e-client', fingerprint256: identity.fingerprint256 });
  assert.deepEqual(
    received.rawHeaders.map(([n]) => n.toLowerCase()).filter((n) => n.startsWith('x-client-cert') || n === 'authorization'),
    [],
  );
  // Calls without the identity still go out without a client certificate (separate pools).
  await stack.addStrategy('e2e-plain', { header: { header_name: 'x-k', value_template: '{{secret}}' } }, 'plain-header-secret');
  await stack.invoke({ capability: 'e2e-plain/api', request: { method: 'GET', path: '/v1/whoami' } });
  assert.equal(stack.upstream.requests.at(-1)!.clientCertificate, null);

  const error = await stack.refuse({ capability: 'e2e-mtls/api', request: { method: 'GET', path: '/v1/hangup' } });
  assert.equal(error.code, 'upstream_error');
  const keyBody = identity.keyPem.split('\n').filter((l) => !l.startsWith('-----')).join('');
  await assertNothingLeaked('e2e-mtls/api', [keyBody.slice(0, 40), keyBody.slice(-40)], { result, error });
});

test('o_auth2 refresh_token: one token exchange, the cached token reused, the stored secret rotated', async () => {
  const material = { clientId: 'e2e-client-id', clientSecret: 'oauth-client-secret-e2e', refreshToken: 'rt-original-e2e-1234' };
  const secretRef = await stack.addStrategy(
    'e2e-oauth',
    { o_auth2: { grant_type: 'refresh_token', token_endpoint: `https://${AUTH_HOST}/oauth/token`, scopes: ['read', ' ', 'write'] } },
    material,
    { hosts: [API_HOST, AUTH_HOST] },
  );
  const secretId = secretRef.slice('vault:secret:'.length);
  const versionBefore = (await stack.node.vault.getSecret(secretId)).valueVersion;
  const before = stack.upstream.requests.length;
  const first = await stack.invoke({ capability: 'e2e-oauth/api', request: { method: 'GET', path: '/v1/profile' } });
  const second = await stack.invoke({ capability: 'e2e-oauth/api', request: { method: 'GET', path: '/v1/profile' } });
  assert.equal(first.response.status, 200);
  assert.equal(second.response.status, 200);

  const calls = since(before);
  const tokenCalls = calls.filter((r) => r.headers['host'] === AUTH_HOST);
  assert.equal(tokenCalls.length, 1, 'exactly one token request for two invocations');
  const token = tokenCalls[0]!;
  assert.equal(token.method, 'POST');
  assert.equal(token.path, '/oauth/token');
  assert.equal(token.servername, AUTH_HOST);
  assert.match(String(token.headers['content-type']), /^application\/x-www-form-urlencoded/);
  assert.deepEqual([...new URLSearchParams(token.bodyText)], [
    ['client_id', material.clientId],
    ['grant_type', 'refresh_token'],
    ['refresh_token', material.refreshToken],
    ['scope', 'read write'],
  ]);
  assert.equal(token.headers['authorization'], `Basic ${Buffer.from(`${material.clientId}:${material.clientSecret}`).toString('base64')}`);
  const apiCalls = calls.filter((r) => r.headers['host'] === API_HOST);
  assert.deepEqual(apiCalls.map((r) => r.headers['authorization']), [`Bearer ${tokenResponse.access_token}`, `Bearer ${tokenResponse.access_token}`]);
  assert.ok(calls.indexOf(token) < calls.indexOf(apiCalls[0]!), 'the refresh happened before the first API call');

  const meta = await stack.node.vault.getSecret(secretId);
  assert.equal(meta.valueVersion, versionBefore + 1, 'the secret was rotated once');
  const stored = JSON.parse(new TextDecoder().decode(await stack.node.vault.resolve(secretRef))) as Record<string, unknown>;
  assert.equal(stored['accessToken'], tokenResponse.access_token);
  assert.equal(stored['refreshToken'], tokenResponse.refresh_token);
  assert.equal(stored['clientSecret'], material.clientSecret);
  assert.equal(typeof stored['accessTokenExpiresAtMs'], 'number');
  assert.ok(Math.abs((stored['accessTokenExpiresAtMs'] as number) - (Date.now() + 3600_000)) < 60_000);

  const error = await stack.refuse({ capability: 'e2e-oauth/api', request: { method: 'GET', path: '/v1/hangup' } });
  assert.equal(error.code, 'upstream_error');
  const audit = await stack.auditText();
  assert.match(audit, new RegExp(`"kind":"secret.rotate","secretId":"${secretId}"`));
  const secrets = [material.clientSecret, material.refreshToken, tokenResponse.access_token, tokenResponse.refresh_token];
  await assertNothingLeaked('e2e-oauth/api', secrets, { result: first, error });
  assertNoSecret(secrets, { 'second result': second });
});

test('redirect: a 302 to another host is returned as is and the other host is never called', async () => {
  await stack.addStrategy('e2e-redirect', { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } }, 'redirect-bearer-secret');
  const before = stack.upstream.requests.length;
  const result = await stack.invoke({ capability: 'e2e-redirect/api', request: { method: 'GET', path: '/v1/redirect' } });
  assert.equal(result.response.status, 302);
  assert.deepEqual(result.response.headers.filter((h) => h.name === 'location'), [{ name: 'location', value: `https://${OTHER_HOST}/landing` }]);
  const calls = since(before);
  assert.deepEqual(calls.map((r) => [r.headers['host'], r.path]), [[API_HOST, '/v1/redirect']]);
  assert.ok(!stack.upstream.requests.some((r) => r.headers['host'] === OTHER_HOST || r.servername === OTHER_HOST), 'the other host was never called');
  await assertNothingLeaked('e2e-redirect/api', ['redirect-bearer-secret'], { result });
});

test('SSRF: a registry host that resolves to 127.0.0.1 without a dev resolve entry is refused at connect time', async () => {
  // api.openai.com is a built-in registry host and has no AIVAULT_DEV_RESOLVE entry here, so it
  // goes through the (hostile) lookup, which answers the loopback address.
  const key = 'sk-ssrf-e2e-secret-3141';
  const meta = await stack.node.vault.createSecret({ name: 'E2E_OPENAI_KEY', value: new TextEncoder().encode(key), scope: { kind: 'global' } });
  await createCredential(stack.deps, { id: 'openai', provider: 'openai', secretRef: `vault:secret:${meta.secretId}` });
  const before = stack.upstream.requests.length;
  const error = await stack.refuse({ capability: 'openai/models', request: { method: 'GET', path: '/v1/models' } });
  assert.equal(renderErrorText(error), 'PolicyViolation: upstream host blocked by SSRF guard');
  assert.equal(error.code, 'policy_violation');
  assert.ok(stack.lookups.includes('api.openai.com'), 'the name went through the resolver');
  assert.equal(stack.upstream.requests.length, before, 'nothing reached the loopback upstream');
  await assertNothingLeaked('openai/models', [key], { error });
});
