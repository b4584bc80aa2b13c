// The caller env helper (transports.md §9) and the HTTP status table of Decision 15.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callerEnv } from '../../../src/core/proxy/caller-env.js';
import { ERROR_CODES, httpStatusOf, retryAfterSeconds, type ErrorCode } from '../../../src/core/error-codes.js';

test('callerEnv returns exactly the two variables, strings unchanged', () => {
  assert.deepEqual(callerEnv('http://127.0.0.1:19790/', ' avp_x '), { AIVAULT_BASE_URL: 'http://127.0.0.1:19790/', AIVAULT_TOKEN: ' avp_x ' });
  assert.deepEqual(Object.keys(callerEnv('a', 'b')), ['AIVAULT_BASE_URL', 'AIVAULT_TOKEN']);
});

test('HTTP statuses follow Decision 15, with 429 only for the rate-limit message', () => {
  const decision15: Partial<Record<ErrorCode, number>> = {
    invalid_request: 400,
    token_invalid: 401,
    operator_auth_required: 401,
    policy_violation: 403,
    capability_not_found: 404,
    credential_not_found: 404,
    credential_ambiguous: 409,
    auth_failed: 502,
    upstream_unreachable: 502,
    vault_unavailable: 503,
    // spec/README.md "HTTP transport": vault errors 503, network/timeout/OAuth 502, secret not accessible 403
    vault_error: 503,
    vault_locked: 503,
    upstream_error: 502,
    oauth_error: 502,
    secret_not_accessible: 403,
  };
  for (const [code, status] of Object.entries(decision15)) {
    assert.equal(httpStatusOf({ code: code as ErrorCode, message: 'x' }), status, code);
    assert.equal(ERROR_CODES[code as ErrorCode].http, status, code);
  }
  assert.equal(httpStatusOf({ code: 'policy_violation', message: 'capability rate limit exceeded' }), 429);
  assert.equal(httpStatusOf({ code: 'invalid_request', message: 'capability rate limit exceeded' }), 400);
});

test('Retry-After counts the seconds to the next minute window', () => {
  assert.equal(retryAfterSeconds(120_000), 60);
  assert.equal(retryAfterSeconds(120_001), 60);
  assert.equal(retryAfterSeconds(179_000), 1);
  assert.equal(retryAfterSeconds(179_999), 1);
  assert.equal(retryAfterSeconds(150_500), 30);
});
