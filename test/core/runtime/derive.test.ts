// registry.md §7.5: alternatives, priority, Codex freshness, per-tenant host merge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.js';
import { deriveRegistryCredentials } from '../../../src/core/registry/derive.js';
import { codexExpiryMs } from '../../../src/core/registry/codex-oauth.js';
import type { StoredCredential } from '../../../src/core/registry/types.js';

const enc = (s: string) => new TextEncoder().encode(s);

async function derive(h: Awaited<ReturnType<typeof harness>>, stored: StoredCredential[] = []) {
  return deriveRegistryCredentials({ vault: h.vault, registry: h.registry, clock: h.clock, secrets: await h.vault.listSecrets(), stored });
}

test('alternatives are derived on demand with their filter, priority and prefix', async () => {
  const h = await harness();
  await h.createSecret('FAL_KEY', 'a');
  await h.createSecret('FAL_API_KEY', 'b');
  const { credentials } = await derive(h);
  assert.deepEqual(credentials.map((c) => [c.id, c.priority, c.capabilities]), [['fal', 0, []], ['fal:fal-api-key', 5, ['fal/image-to-3d']]]);
  assert.equal(h.brokerJson().credentials.length, 1, 'alternatives are never provisioned into broker.json');
});

test('Codex alternatives exist only while the token document is fresh', async () => {
  const h = await harness();
  await h.createSecret('OPENAI_API_KEY', 'sk');
  const now = h.clock.now();
  const { secret } = await h.createSecret('CODEX_OAUTH_JSON', JSON.stringify({ access_token: 'a', account_id: 'acc', expires_at: now + 3_600_000 }));
  const fresh = await derive(h);
  assert.deepEqual(fresh.credentials.map((c) => c.id), ['openai', 'openai:codex-oauth', 'openai:codex-oauth-usage']);
  const codex = fresh.credentials[1]!;
  assert.deepEqual([codex.hosts, codex.upstreamPathPrefix, codex.priority], [['chatgpt.com'], '/backend-api/codex', 100]);
  assert.equal(codex.secretRef, `vault:secret:${secret.secretId}`);

  await h.vault.rotateSecret(secret.secretId, enc(JSON.stringify({ access_token: 'a', expires_at: now + 5 * 60_000 })));
  const stale = await derive(h);
  assert.deepEqual(stale.credentials.map((c) => c.id), ['openai']);
  assert.deepEqual(stale.problems, [], 'listing simply omits a stale Codex alternative (registry.md §7.5)');
  assert.ok(h.vault.reads.every((r) => r.purpose === 'secret.codex_oauth.check'));
});

test('Codex expiry: first key present wins; non-integers are stale; non-JSON fails', () => {
  assert.equal(codexExpiryMs(enc('{"expires": 5, "expires_at": 9}')), 5);
  assert.equal(codexExpiryMs(enc('{"expires": "5", "expires_at": 9}')), undefined);
  assert.equal(codexExpiryMs(enc('{"accessTokenExpiresAtMs": 7}')), 7);
  assert.equal(codexExpiryMs(enc('{}')), undefined);
  assert.throws(() => codexExpiryMs(enc('nope')), /CODEX_OAUTH_JSON must be JSON/);
});

test('per-tenant hosts: stored hosts within the registry patterns are kept, then registry hosts follow', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('GOOGLE_GMAIL_OAUTH', '{"clientId":"c","refreshToken":"r"}');
  const base = { id: 'google-gmail', provider: 'google-gmail', workspaceId: null, groupId: null, auth: 'basic' as const, secretRef: `vault:secret:${secret.secretId}` };
  const merged = await derive(h, [{ ...base, hosts: ['gmail.googleapis.com', 'auth.moldable.sh'] }]);
  assert.deepEqual(merged.credentials[0]!.hosts, ['gmail.googleapis.com', 'auth.moldable.sh', 'people.googleapis.com']);
  const reset = await derive(h, [{ ...base, hosts: ['gmail.googleapis.com', 'evil.example'] }]);
  assert.deepEqual(reset.credentials[0]!.hosts, ['auth.moldable.sh', 'gmail.googleapis.com', 'people.googleapis.com']);
  assert.deepEqual(reset.credentials[0]!.auth, h.registry.provider('google-gmail')!.auth);
});

test('revoked secrets do not count', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('NOTION_TOKEN', 'n');
  await h.vault.revokeSecret(secret.secretId);
  assert.deepEqual((await derive(h)).credentials, []);
});
