// security.md §5 fixtures, pattern validation in strict and relaxed modes, Decision 18 shape check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostMatches, normalizeHosts, validateHostPattern } from '../../../src/core/registry/host-pattern.js';
import { isBrokerError } from '../../../src/core/broker-error.js';

test('matching fixtures of security.md §5', () => {
  const cases: Array<[string, string, boolean]> = [
    ['api.openai.com', 'api.openai.com', true],
    ['api.openai.com', 'api.openai.com.exfil.io', false],
    ['*.openai.com', 'api.openai.com', true],
    ['*.openai.com', 'openai.com', false],
    ['*.example.com', 'badexample.com', false],
    ['*.xn--bcher-kva.example', 'shop.xn--bcher-kva.example', true],
    ['XN--BCHER-KVA.EXAMPLE', 'xn--bcher-kva.example', true],
    ['*.example.com', 'a.b.example.com', true],
    ['example.com', 'sub.example.com', false],
    [' API.openai.com ', 'api.OPENAI.com', true],
  ];
  for (const [pattern, host, expected] of cases) assert.equal(hostMatches(pattern, host), expected, `${pattern} vs ${host}`);
});

test('ports: a pattern port must match, a portless pattern admits any port', () => {
  assert.equal(hostMatches('api.example.com:8443', 'api.example.com:8443'), true);
  assert.equal(hostMatches('api.example.com:8443', 'api.example.com'), false);
  assert.equal(hostMatches('api.example.com', 'api.example.com:8443'), true);
  assert.equal(hostMatches('*.example.com:8443', 'a.example.com:8443'), true);
  assert.equal(hostMatches('*.example.com:8443', 'a.example.com:9443'), false);
  assert.equal(hostMatches('[::1]:8443', '[::1]:8443'), true);
});

test('user-info, paths and whitespace never match', () => {
  assert.equal(hostMatches('api.example.com', 'evil@api.example.com'), false);
  assert.equal(hostMatches('api.example.com', 'api.example.com/x'), false);
  assert.equal(hostMatches('evil@api.example.com', 'api.example.com'), false);
});

function violation(pattern: string, mode: 'strict' | 'relaxed', message: string): void {
  assert.throws(() => validateHostPattern(pattern, mode), (e: unknown) => isBrokerError(e, 'policy_violation') && e.message === message, `${pattern} ${mode}`);
}

test('pattern validation [S-HOSTPAT] and Decision 18', () => {
  violation('  ', 'relaxed', 'host cannot be empty');
  violation('*.example.com', 'strict', 'wildcard hosts are invalid for core conformance');
  violation('*.*.example.com', 'relaxed', 'invalid wildcard host pattern');
  violation('*.com', 'relaxed', 'wildcard must include at least one suffix label');
  violation('api.*.com', 'relaxed', 'wildcards are only allowed as leading *.');
  violation('api*.example.com', 'strict', 'wildcards are only allowed as leading *.');
  for (const bad of ['evil@api.example.com', 'api.example.com/path', 'api.example.com?x', 'api.example.com#f', 'api example.com']) {
    violation(bad, 'strict', 'invalid host authority in capability or credential');
  }
  assert.equal(validateHostPattern(' *.Example.com ', 'relaxed'), '*.example.com');
  assert.equal(validateHostPattern('API.example.com:8443', 'strict'), 'api.example.com:8443');
});

test('normalizeHosts trims, lower-cases, drops blanks and de-duplicates keeping the first', () => {
  assert.deepEqual(normalizeHosts([' B.example ', '', 'XN--BCHER-KVA.EXAMPLE', 'b.example', 'xn--bcher-kva.example']), ['b.example', 'xn--bcher-kva.example']);
});
