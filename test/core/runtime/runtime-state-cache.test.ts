// The service's runtime-state memo: the registry derivation and the custom capabilities are reused
// while their inputs are unchanged, and recomputed when another writer changes a claimed secret's
// metadata or broker.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.js';
import { createRuntimeState, createRuntimeStateCache, type RuntimeStateCache } from '../../../src/core/runtime/create-runtime-state.js';

type H = Awaited<ReturnType<typeof harness>>;
const state = (h: H, cache: RuntimeStateCache, context: { workspaceId?: string } = {}) =>
  createRuntimeState({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context, cache });

test('an unchanged vault and broker.json reuse the derivation; a revoked claimed secret is seen at the next call', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('OPENAI_API_KEY', 'sk');
  const cache = createRuntimeStateCache();
  const first = await state(h, cache);
  const second = await state(h, cache);
  const a = first.credentials().find((c) => c.id === 'openai')!;
  const b = second.credentials().find((c) => c.id === 'openai')!;
  assert.equal(a.hosts, b.hosts, 'the derived credential is shared, not rebuilt');
  assert.ok(cache.derived !== undefined);
  await h.vault.revokeSecret(secret.secretId);
  const third = await state(h, cache);
  assert.equal(third.credentials().find((c) => c.id === 'openai'), undefined);
});

test('a workspace secret added by another writer derives its credential at the next call, context applied per call', async () => {
  const h = await harness();
  await h.createSecret('OPENAI_API_KEY', 'sk');
  const cache = createRuntimeStateCache();
  await state(h, cache);
  await h.createSecret('OPENAI_API_KEY', 'sk-ws', { kind: 'workspace', workspaceId: 'w1' });
  const inWs = await state(h, cache, { workspaceId: 'w1' });
  assert.ok(inWs.credentials().some((c) => c.workspaceId === 'w1'));
  const global = await state(h, cache);
  assert.ok(!global.credentials().some((c) => c.workspaceId === 'w1'), 'eligibility is not memoised');
});

test('a custom capability and policy written to broker.json apply at the next call', async () => {
  const h = await harness();
  await h.createSecret('OPENAI_API_KEY', 'sk');
  const cache = createRuntimeStateCache();
  const before = await state(h, cache);
  assert.equal(before.findCapability('mine/ok'), undefined);
  const raw = h.brokerJson();
  raw.capabilities.push({ id: 'mine/ok', provider: 'mine', allow: { hosts: ['api.mine.example'], methods: ['GET'], pathPrefixes: ['/v1'] } });
  raw.policies.push({ capabilityId: 'mine/ok', policy: { rateLimitPerMinute: 2 } });
  h.memfs.vol.writeFileSync('/vault/broker.json', JSON.stringify(raw));
  const after = await state(h, cache);
  assert.ok(after.findCapability('mine/ok'));
  assert.equal(after.policyFor('mine/ok')!.rateLimitPerMinute, 2);
});

test('a Codex token document is never memoised (deriving may read it and depend on the clock)', async () => {
  const h = await harness();
  await h.createSecret('OPENAI_API_KEY', 'sk');
  await h.createSecret('CODEX_OAUTH_JSON', JSON.stringify({ tokens: { access_token: 'a', refresh_token: 'r' } }));
  const cache = createRuntimeStateCache();
  await state(h, cache);
  assert.equal(cache.derived, undefined);
});
