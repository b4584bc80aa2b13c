// The runtime state reads only what the registry claims (by name) plus the records stored
// credentials reference: never the whole vault, and the result matches a full listing's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.js';
import { createRuntimeState } from '../../../src/core/runtime/create-runtime-state.js';
import { claimedSecretNames, secretsForDerivation } from '../../../src/core/registry/claimed-secrets.js';
import { deriveRegistryCredentials } from '../../../src/core/registry/derive.js';
import type { StoredCredential } from '../../../src/core/registry/types.js';
import type { Vault } from '../../../src/core/vault/types.js';

type H = Awaited<ReturnType<typeof harness>>;

/** The harness vault with listing forbidden and by-name lookups recorded. */
function noListing(h: H): { vault: Vault; named: string[][] } {
  const named: string[][] = [];
  const vault: Vault = {
    ...h.vault,
    listSecrets: () => Promise.reject(new Error('listSecrets on the hot path')),
    secretsNamed: (names) => {
      named.push([...names]);
      return h.vault.secretsNamed(names);
    },
  };
  return { vault, named };
}

test('claimed names cover every provider and alternative, computed once per registry', async () => {
  const h = await harness();
  const names = claimedSecretNames(h.registry);
  assert.ok(names.includes('OPENAI_API_KEY') && names.includes('TWILIO_AUTH_TOKEN') && names.includes('CODEX_OAUTH_JSON'));
  assert.equal(new Set(names).size, names.length);
  assert.equal(claimedSecretNames(h.registry), names, 'memoised');
});

test('registry credentials (composites included) derive the same from the by-name lookup as from a full listing', async () => {
  const h = await harness();
  await h.createSecret('UNCLAIMED_FILLER', 'x');
  await h.createSecret('OPENAI_API_KEY', 'sk');
  await h.createSecret('TWILIO_ACCOUNT_SID', 'AC1');
  await h.createSecret('TWILIO_AUTH_TOKEN', 'tok1');
  await h.createSecret('OPENAI_API_KEY', 'sk-ws', { kind: 'workspace', workspaceId: 'w1' });
  const { vault, named } = noListing(h);
  const secrets = await secretsForDerivation(vault, h.registry);
  assert.ok(!secrets.some((s) => s.name === 'UNCLAIMED_FILLER'));
  assert.ok(secrets.some((s) => s.name === '__aivault_registry:twilio:global'), 'the existing composite is found by name');
  assert.equal(named.length, 2, 'claimed names, then the composites of satisfied scopes');
  const reads = h.vault.reads.length;
  const fromNames = await deriveRegistryCredentials({ vault, registry: h.registry, clock: h.clock, secrets, stored: [] });
  assert.equal(h.vault.reads.length, reads, 'the composite is reused, not rebuilt');
  const fromList = await deriveRegistryCredentials({ vault: h.vault, registry: h.registry, clock: h.clock, secrets: await h.vault.listSecrets(), stored: [] });
  assert.deepEqual(fromNames, fromList);
});

test('a runtime state never lists the vault; stored credentials resolve their records by id', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('OPENAI_API_KEY', 'sk');
  const custom = await h.vault.createSecret({ name: 'MY_TOKEN', value: new TextEncoder().encode('t'), scope: { kind: 'global' } });
  const file = await h.brokerStore.load();
  const stored = (id: string, secretRef: string): StoredCredential => ({ id, provider: 'mine', workspaceId: null, groupId: null, auth: 'basic', hosts: ['api.mine.example'], secretRef });
  file.credentials.push(stored('mine', `vault:secret:${custom.secretId}`));
  file.credentials.push(stored('gone', 'vault:secret:3f2504e0-4f89-41d3-9d0a-0305e82c3301'));
  file.credentials.push(stored('bad-ref', 'not-a-ref'));
  await h.brokerStore.save(file);
  const { vault } = noListing(h);
  const rt = await createRuntimeState({ vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context: {} });
  assert.deepEqual(rt.credentials().map((c) => c.id).sort(), ['mine', 'openai']);
  assert.ok(rt.problems.includes("credential 'gone' skipped: secret not found"));
  assert.ok(rt.problems.some((p) => p.startsWith("credential 'bad-ref' skipped:")));
  const mine = rt.credentials().find((c) => c.id === 'mine')!;
  assert.equal(new TextDecoder().decode(await rt.loadSecret(mine, 'test')), 't');
  void secret;
});

test('a secret created by another writer after the first call is picked up by the next state', async () => {
  const h = await harness();
  const { vault } = noListing(h);
  const state = () => createRuntimeState({ vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context: {} });
  assert.deepEqual((await state()).credentials(), []);
  await h.createSecret('OPENAI_API_KEY', 'sk');
  assert.deepEqual((await state()).credentials().map((c) => c.id), ['openai']);
});
