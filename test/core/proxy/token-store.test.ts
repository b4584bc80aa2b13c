// Proxy tokens (transports.md §6): mint rules in order, the token format, TTL, lookup-only
// validation and purging, on the token store alone and through the proxy service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProxyTokenStore } from '../../../src/core/proxy/token-store.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { CTX, OPERATOR, credential, refusal, setup } from './_setup.js';

const store = () => {
  const clock = createManualClock();
  return { clock, tokens: createProxyTokenStore({ clock, crypto: globalThis.crypto }) };
};

test('a minted token is avp_ + 32 lower-case hex, expires at now + ttl and is returned as stored', async () => {
  const { clock, tokens } = store();
  const now = clock.now();
  const record = await tokens.mint({ capabilities: ['acme/users'], credential: ' acme ', ttlMs: 600_000, context: { workspaceId: 'default' } });
  assert.match(record.token, /^avp_[0-9a-f]{32}$/);
  assert.deepEqual({ ...record, token: 'x' }, { token: 'x', capabilities: ['acme/users'], credential: 'acme', expiresAtMs: now + 600_000, context: { workspaceId: 'default' } });
  const other = await tokens.mint({ capabilities: [], ttlMs: 1 });
  assert.notEqual(other.token, record.token);
  assert.equal(other.credential, null);
  assert.deepEqual(other.context, {});
  assert.deepEqual(tokens.validate({ class: 'proxy', token: record.token }), record);
});

test('mint request schema: unknown keys, wrong types and missing fields are invalid_request; null optionals are absent', async () => {
  const { tokens } = store();
  for (const bad of [
    { capabilities: [], ttlMs: 1, extra: 1 },
    { capabilities: [], ttlMs: '1' },
    { capabilities: [], ttlMs: 1.5 },
    { ttlMs: 1 },
    { capabilities: [1], ttlMs: 1 },
    { capabilities: [], ttlMs: 1, context: { a: 1 } },
    null,
    [],
  ]) {
    assert.match(await refusal(() => tokens.mint(bad)), /^invalid_request: invalid token request JSON: /, JSON.stringify(bad));
  }
  const record = await tokens.mint({ capabilities: ['a'], credential: null, ttlMs: 5, context: null });
  assert.equal(record.credential, null);
  assert.deepEqual(record.context, {});
});

test('ttlMs must be positive (rule 2, before the credential checks of rule 3)', async () => {
  const { tokens } = store();
  let checked = 0;
  for (const ttlMs of [0, -1]) {
    assert.equal(await refusal(() => tokens.mint({ capabilities: [], ttlMs }, async () => void checked++)), 'invalid_request: ttlMs must be positive');
  }
  assert.equal(checked, 0);
  assert.equal(tokens.size(), 0);
});

test('context.timeoutMs must be a whole number of milliseconds', async () => {
  const { tokens } = store();
  assert.equal(
    await refusal(() => tokens.mint({ capabilities: [], ttlMs: 5, context: { timeoutMs: '5s' } })),
    'invalid_request: context.timeoutMs must be a whole number of milliseconds',
  );
  assert.equal((await tokens.mint({ capabilities: [], ttlMs: 5, context: { timeoutMs: '2500' } })).context.timeoutMs, '2500');
});

test('validation: required for non-proxy callers, lookup only (a forged avp_ string is not found), expired at expiresAtMs <= now', async () => {
  const { clock, tokens } = store();
  const record = await tokens.mint({ capabilities: [], ttlMs: 1000 });
  assert.equal(await refusal(async () => tokens.validate({ class: 'none' })), 'token_invalid: proxy token required');
  assert.equal(await refusal(async () => tokens.validate({ class: 'operator' })), 'token_invalid: proxy token required');
  assert.equal(await refusal(async () => tokens.validate({ class: 'proxy', token: ' ' })), 'token_invalid: proxy token required');
  assert.equal(await refusal(async () => tokens.validate({ class: 'proxy', token: `avp_${'0'.repeat(32)}` })), 'token_invalid: proxy token not found');
  assert.equal(await refusal(async () => tokens.validate({ class: 'proxy', token: record.token.toUpperCase() })), 'token_invalid: proxy token not found');
  clock.advance(999);
  assert.equal(tokens.validate({ class: 'proxy', token: record.token }).token, record.token);
  clock.advance(1);
  assert.equal(await refusal(async () => tokens.validate({ class: 'proxy', token: record.token })), 'token_invalid: proxy token expired');
});

test('expired records are purged lazily, when the next token is minted', async () => {
  const { clock, tokens } = store();
  const old = await tokens.mint({ capabilities: [], ttlMs: 10 });
  await tokens.mint({ capabilities: [], ttlMs: 1000 });
  clock.advance(10);
  assert.equal(tokens.size(), 2);
  await tokens.mint({ capabilities: [], ttlMs: 1000 });
  assert.equal(tokens.size(), 2);
  assert.equal(await refusal(async () => tokens.validate({ class: 'proxy', token: old.token })), 'token_invalid: proxy token not found');
});

test('a returned record is a copy: changing it changes nothing stored', async () => {
  const { tokens } = store();
  const record = await tokens.mint({ capabilities: ['a'], ttlMs: 1000, context: { k: 'v' } });
  record.capabilities.push('b');
  record.context.k = 'w';
  const again = tokens.validate({ class: 'proxy', token: record.token });
  assert.deepEqual([again.capabilities, again.context], [['a'], { k: 'v' }]);
});

test('mintToken needs the operator class, before looking at the request', async () => {
  const { proxy, tokens } = await setup();
  for (const auth of [{ class: 'none' } as const, { class: 'proxy', token: 'avp_x' } as const]) {
    assert.equal(await refusal(() => proxy.mintToken(auth, { capabilities: [], ttlMs: 0, bogus: 1 }, CTX)), 'operator_auth_required: operator token required');
  }
  assert.equal(tokens.size(), 0);
  const record = await proxy.mintToken(OPERATOR, { capabilities: ['anything/unknown'], ttlMs: 1000 }, CTX);
  assert.equal(tokens.size(), 1, 'without a credential the ids are not checked at mint time');
  assert.deepEqual(record.capabilities, ['anything/unknown']);
});

test('mint rule 3 with a credential: exists, every capability resolves, same provider, in the credential scope', async () => {
  const { mint } = await setup({
    credentials: (ids) => [credential('acme', ids.header), credential('acme-scoped', ids.header, { capabilities: ['acme/users'] })],
  });
  assert.equal(await refusal(() => mint({ capabilities: ['acme/users'], credential: 'nope' })), 'credential_not_found: credential not found');
  assert.equal(await refusal(() => mint({ capabilities: ['acme/users', 'acme/nope'], credential: 'acme' })), 'capability_not_found: capability not found');
  assert.equal(
    await refusal(() => mint({ capabilities: ['other/thing'], credential: 'acme' })),
    'policy_violation: capability provider does not match credential provider',
  );
  assert.equal(
    await refusal(() => mint({ capabilities: ['acme/admin'], credential: 'acme-scoped' })),
    'policy_violation: credential is not scoped to this capability',
  );
  // the ttl rule comes first
  assert.equal(await refusal(() => mint({ capabilities: ['acme/nope'], credential: 'nope', ttlMs: 0 })), 'invalid_request: ttlMs must be positive');
  const ok = await mint({ capabilities: ['acme/users'], credential: 'acme-scoped' });
  assert.equal(ok.credential, 'acme-scoped');
});

test('mint rule 3 looks the credential up in the token context (a workspace credential needs that workspace)', async () => {
  const { mint } = await setup({ credentials: (ids) => [credential('acme-ws', ids.header, { workspaceId: 'w1' })] });
  assert.equal(await refusal(() => mint({ capabilities: ['acme/users'], credential: 'acme-ws' })), 'credential_not_found: credential not found');
  const ok = await mint({ capabilities: ['acme/users'], credential: 'acme-ws', context: { workspaceId: 'w1' } });
  assert.equal(ok.credential, 'acme-ws');
});

test('the store is bounded: maxTokens live records (policy_violation past it), expired ones purged on mint and on validate', async () => {
  const clock = createManualClock();
  const tokens = createProxyTokenStore({ clock, crypto: globalThis.crypto, maxTokens: 2 });
  const first = await tokens.mint({ capabilities: [], ttlMs: 10 });
  await tokens.mint({ capabilities: [], ttlMs: 1000 });
  assert.equal(await refusal(() => tokens.mint({ capabilities: [], ttlMs: 1000 })), 'policy_violation: too many live proxy tokens');
  clock.advance(10);
  assert.throws(() => tokens.validate({ class: 'proxy', token: first.token }), /proxy token expired/);
  assert.equal(tokens.size(), 1);
  await tokens.mint({ capabilities: [], ttlMs: 1000 });
  assert.equal(tokens.size(), 2);
});

test('mint input is bounded: ttlMs keeps expiresAtMs a safe integer; list, id and context sizes are capped', async () => {
  const { tokens } = store();
  const long = 'x'.repeat(257);
  for (const bad of [
    { capabilities: [], ttlMs: Number.MAX_SAFE_INTEGER },
    { capabilities: [], ttlMs: 1e300 },
    { capabilities: Array.from({ length: 257 }, (_, i) => `c/${i}`), ttlMs: 1 },
    { capabilities: [long], ttlMs: 1 },
    { capabilities: [], credential: long, ttlMs: 1 },
    { capabilities: [], ttlMs: 1, context: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) },
    { capabilities: [], ttlMs: 1, context: { k: 'v'.repeat(1025) } },
  ]) {
    assert.match(await refusal(() => tokens.mint(bad)), /^invalid_request: /, JSON.stringify(bad).slice(0, 80));
  }
  assert.equal(tokens.size(), 0);
});
