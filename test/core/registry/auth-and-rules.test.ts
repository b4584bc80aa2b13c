// [B-AUTH-NAME], [B-AUTH-VAL], [B-CAP-1], [B-CRED-1] and the upstreamPathPrefix rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from 'superstruct';
import { AuthStrategySchema, authDisplayName, parseAuthType, validateAuthStrategy } from '../../../src/core/registry/auth-strategy.js';
import { validateCapability } from '../../../src/core/registry/capability.js';
import { normalizeUpstreamPathPrefix, validateCredentialSpec } from '../../../src/core/registry/credential.js';
import { builtinRegistry } from '../../../src/core/registry/registry.js';
import { isBrokerError } from '../../../src/core/broker-error.js';
import type { AuthStrategy, Capability } from '../../../src/core/registry/types.js';

const fails = (fn: () => unknown, code: 'policy_violation' | 'invalid_request', message: string) =>
  assert.throws(fn, (e: unknown) => isBrokerError(e, code) && e.message === message, message);

test('parseAuthType: names, aliases, defaults, unknown names', () => {
  assert.deepEqual(parseAuthType(' Header '), { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } });
  assert.deepEqual(parseAuthType('o-auth2'), parseAuthType('oauth2'));
  assert.deepEqual(parseAuthType('multi-header'), { multi_header: [] });
  assert.deepEqual(parseAuthType('query'), { query: { param_name: 'api_key' } });
  assert.deepEqual(parseAuthType('aws-sigv4'), { aws_sig_v4: { service: 's3', region: 'us-east-1' } });
  assert.equal(parseAuthType('MTLS'), 'mtls');
  fails(() => parseAuthType('bearer'), 'policy_violation', "unknown auth.type 'bearer'");
});

test('display names', () => {
  const names = ['header', 'path', 'query', 'multi-header', 'multi-query', 'basic', 'oauth2', 'aws-sigv4', 'hmac', 'mtls'];
  assert.deepEqual(names.map((n) => authDisplayName(parseAuthType(n))), names);
});

test('the schema is fail-closed: unknown strategies and keys are refused', () => {
  assert.throws(() => create({ bearer: { token: 'x' } }, AuthStrategySchema));
  assert.throws(() => create({ header: { header_name: 'a', value_template: 'b', extra: 1 } }, AuthStrategySchema));
  assert.throws(() => create({ header: { header_name: '', value_template: 'b' } }, AuthStrategySchema));
  assert.throws(() => create({ hmac: { algorithm: 'sha256', header_name: 'a', value_template: 'b', encoding: 'hex2' } }, AuthStrategySchema));
  assert.deepEqual(create('basic', AuthStrategySchema), 'basic');
});

test('validateAuthStrategy [B-AUTH-VAL]', () => {
  const oauth = (grant: string): AuthStrategy => ({ o_auth2: { grant_type: grant, token_endpoint: 'https://idp.example/token' } });
  validateAuthStrategy(oauth(' Client_Credentials '));
  fails(() => validateAuthStrategy(oauth('authorization_code')), 'policy_violation', 'oauth2 consent/setup flow must happen outside broker');
  const path = (t: string): AuthStrategy => ({ path: { prefix_template: t } });
  fails(() => validateAuthStrategy(path('bot{{secret}}')), 'policy_violation', "path auth prefixTemplate must start with '/'");
  fails(() => validateAuthStrategy(path('/bot{{secret}}?x')), 'policy_violation', 'path auth prefixTemplate cannot include query or fragment');
  fails(() => validateAuthStrategy(path('/bot{{secret}}/{{secret}}')), 'policy_violation', 'path auth prefixTemplate must contain exactly one {{secret}}');
  fails(() => validateAuthStrategy({ multi_header: [] }), 'policy_violation', 'multi-header auth must include at least one header template');
  fails(
    () => validateAuthStrategy({ multi_header: [{ header_name: 'X-A', value_template: '{{a}}' }, { header_name: 'x-a', value_template: '{{b}}' }] }),
    'policy_violation',
    'multi-header auth cannot include duplicate header names',
  );
  const hmac = (algorithm: string): AuthStrategy => ({ hmac: { algorithm, header_name: 'x-sig', value_template: '{{signature}}' } });
  for (const a of ['sha256', 'sha384', 'sha512']) validateAuthStrategy(hmac(a));
  assert.throws(() => validateAuthStrategy(hmac('md5')), (e: unknown) => isBrokerError(e, 'policy_violation'));
});

const cap = (allow: Partial<Capability['allow']>, id = 'my/x'): Capability => ({
  id,
  provider: 'my',
  allow: { hosts: ['api.example.com'], methods: ['GET'], pathPrefixes: ['/v1'], ...allow },
});

test('validateCapability [B-CAP-1] and Decision 2', () => {
  fails(() => validateCapability(cap({}, ' '), 'custom'), 'invalid_request', 'capability id/provider required');
  fails(() => validateCapability(cap({ methods: [] }), 'custom'), 'policy_violation', 'hosts, methods, and pathPrefixes are required');
  const blank = "capability methods and pathPrefixes must be non-blank and start with '/'";
  fails(() => validateCapability(cap({ methods: [' '] }), 'custom'), 'policy_violation', blank);
  fails(() => validateCapability(cap({ pathPrefixes: [''] }), 'custom'), 'policy_violation', blank);
  fails(() => validateCapability(cap({ pathPrefixes: ['v1'] }), 'custom'), 'policy_violation', blank);
  fails(() => validateCapability(cap({ hosts: ['a.example.com', 'b.example.com'] }), 'custom'), 'policy_violation', 'core conformance requires allow.hosts length = 1');
  fails(() => validateCapability(cap({ hosts: ['*.example.com'] }), 'custom'), 'policy_violation', 'wildcard hosts are invalid for core conformance');
  fails(() => validateCapability(cap({ hosts: ['user@api.example.com'] }), 'custom'), 'policy_violation', 'invalid host authority in capability or credential');
  assert.deepEqual(validateCapability(cap({ hosts: ['*.Example.com', 'b.example.com'] }), 'registry').allow.hosts, ['*.example.com', 'b.example.com']);
});

test('validateCredentialSpec [B-CRED-1]', () => {
  const r = builtinRegistry();
  fails(() => validateCredentialSpec({ id: ' ', provider: 'openai' }, r), 'invalid_request', 'credential id/provider required');
  fails(() => validateCredentialSpec({ id: 'c', provider: 'custom' }, r), 'invalid_request', 'credential auth required when provider is not in registry');
  fails(() => validateCredentialSpec({ id: 'c', provider: 'custom', auth: 'basic' }, r), 'invalid_request', 'credential hosts required when provider is not in registry');
  fails(() => validateCredentialSpec({ id: 'c', provider: 'custom', auth: 'basic', hosts: [' ', ''] }, r), 'policy_violation', 'credential hosts are required');
  fails(() => validateCredentialSpec({ id: 'c', provider: 'openai', hosts: ['evil.example'] }, r), 'policy_violation', 'credential host is not allowed by registry provider host policy');
  fails(() => validateCredentialSpec({ id: 'c', provider: 'custom', auth: 'basic', hosts: ['*.example.com'] }, r), 'policy_violation', 'wildcard hosts are invalid for core conformance');
  fails(() => validateCredentialSpec({ id: 'c', provider: 'custom', auth: 'basic', hosts: ['a.example'], capabilities: [' '] }, r), 'invalid_request', 'credential capability scope cannot be empty');
  const openai = validateCredentialSpec({ id: ' c ', provider: 'openai', hosts: ['CHATGPT.com', 'chatgpt.com'], capabilities: ['a', ' a'] }, r);
  assert.deepEqual([openai.id, openai.hosts, openai.capabilities, openai.priority], ['c', ['chatgpt.com'], ['a'], 0]);
  assert.deepEqual(validateCredentialSpec({ id: 'c', provider: 'openai' }, r).hosts, ['api.openai.com']);
});

test('upstreamPathPrefix normalisation', () => {
  assert.equal(normalizeUpstreamPathPrefix(' /backend-api/codex/ '), '/backend-api/codex');
  assert.equal(normalizeUpstreamPathPrefix(' / '), undefined);
  assert.equal(normalizeUpstreamPathPrefix(undefined), undefined);
  const msg = "upstreamPathPrefix must start with '/' and cannot include query or fragment";
  fails(() => normalizeUpstreamPathPrefix('api'), 'policy_violation', msg);
  fails(() => normalizeUpstreamPathPrefix('/a?b'), 'policy_violation', msg);
  fails(() => normalizeUpstreamPathPrefix('/a#b'), 'policy_violation', msg);
});
