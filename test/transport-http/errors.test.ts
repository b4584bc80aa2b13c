// Decision 15's status table over HTTP: `{"error", "message"}` with the code's status, 429 and
// Retry-After for the rate limit, and nothing of an unexpected error's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerError, type ErrorCode } from '../../src/core/index.js';
import { call, fakeProxy, startHttp } from './_harness.js';

const DECISION_15: Array<[ErrorCode, number]> = [
  ['invalid_request', 400],
  ['token_invalid', 401],
  ['operator_auth_required', 401],
  ['policy_violation', 403],
  ['capability_not_found', 404],
  ['credential_not_found', 404],
  ['credential_ambiguous', 409],
  ['auth_failed', 502],
  ['upstream_unreachable', 502],
  ['upstream_error', 502],
  ['oauth_error', 502],
  ['vault_unavailable', 503],
  ['vault_error', 503],
  ['vault_locked', 503],
  ['secret_not_accessible', 403],
];

test('every broker error code answers with its Decision 15 status and the structured body', async () => {
  let next: BrokerError = new BrokerError({ code: 'internal', message: 'x' });
  const proxy = fakeProxy({ invoke: async () => Promise.reject(next) });
  const server = await startHttp(proxy);
  try {
    for (const [code, status] of DECISION_15) {
      next = new BrokerError({ code, message: `message of ${code}` });
      const answer = await call(server, { method: 'POST', path: '/aivault/proxy', token: 'avp_t', body: '{}' });
      assert.equal(answer.status, status, code);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.deepEqual(answer.json(), { error: code, message: `message of ${code}` });
    }
  } finally {
    await server.close();
  }
});

test('the rate limit is 429 with Retry-After: the seconds to the next minute window', async () => {
  const proxy = fakeProxy({ passthrough: async () => Promise.reject(new BrokerError({ code: 'policy_violation', message: 'capability rate limit exceeded' })) });
  const server = await startHttp(proxy, { now: () => 60_000 * 28_333_334 + 15_500 }); // 15.5 s into a minute
  try {
    const answer = await call(server, { path: '/v/openai/v1/models', token: 'avp_t' });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['retry-after'], '45');
    assert.deepEqual(answer.json(), { error: 'policy_violation', message: 'capability rate limit exceeded' });
  } finally {
    await server.close();
  }
});

test('an unexpected error is 500 "internal error": no message, stack or secret of it goes out', async () => {
  const proxy = fakeProxy({ mintToken: async () => Promise.reject(new Error('boom sk-live-SECRET at /home/me/.aivault')) });
  const server = await startHttp(proxy);
  try {
    const answer = await call(server, { method: 'POST', path: '/aivault/tokens/proxy', token: 'ab'.repeat(32), body: '{}' });
    assert.equal(answer.status, 500);
    assert.equal(answer.text, '{"error":"internal","message":"internal error"}');
  } finally {
    await server.close();
  }
});
