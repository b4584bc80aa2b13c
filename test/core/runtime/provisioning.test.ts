// registry.md §7.1-§7.4: pinning on create, auto-provisioning lines, composite secrets (Decision 18).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { group, harness, ws } from './harness.js';
import { deriveRegistryCredentials } from '../../../src/core/registry/derive.js';
import { provisionForSecret } from '../../../src/core/registry/provisioning.js';

test('OpenAI key: pinned, provisioned with 20 capabilities', async () => {
  const h = await harness();
  const { lines, secret } = await h.createSecret('OPENAI_API_KEY', 'sk-test');
  assert.deepEqual(lines, ['Secret created: OPENAI_API_KEY (pinned to provider: openai)', 'Credential auto-provisioned: openai (20 capabilities enabled)']);
  assert.equal((await h.vault.getSecret(secret.secretId)).pinnedProvider, 'openai');
  const file = h.brokerJson();
  assert.deepEqual(file.credentials, [
    {
      id: 'openai',
      provider: 'openai',
      workspaceId: null,
      groupId: null,
      auth: { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } },
      hosts: ['api.openai.com'],
      secretRef: `vault:secret:${secret.secretId}`,
    },
  ]);
  assert.equal(file.capabilities.length, 20);
  assert.equal(h.vault.reads.length, 0, 'a direct secret is never decrypted while provisioning');
});

test('singular count and unclaimed names', async () => {
  const h = await harness();
  assert.deepEqual((await h.createSecret('TRIPO_API_KEY', 't')).lines.at(-1), 'Credential auto-provisioned: tripo (1 capability enabled)');
  assert.deepEqual((await h.createSecret('MY_OWN_KEY', 'x')).lines, []);
});

test('Trello waits for both secrets in the same scope, then gets a composite secret', async () => {
  const h = await harness();
  const first = await h.createSecret('TRELLO_API_KEY', 'k-1');
  assert.deepEqual(first.lines, ['Secret created: TRELLO_API_KEY (pinned to provider: trello)', 'Waiting for TRELLO_TOKEN to complete trello credential']);
  const elsewhere = await h.createSecret('TRELLO_TOKEN', 't-ws', ws('acme'));
  assert.equal(elsewhere.lines.at(-1), 'Waiting for TRELLO_API_KEY to complete trello credential');
  const second = await h.createSecret('TRELLO_TOKEN', 't-1');
  assert.equal(second.lines.at(-1), 'Credential auto-provisioned: trello (17 capabilities enabled)');
  const composite = (await h.vault.listSecrets()).find((s) => s.name === '__aivault_registry:trello:global')!;
  assert.equal(composite.systemManaged, true);
  assert.equal(composite.pinnedProvider, 'trello');
  assert.equal(await h.vault.valueOf(composite.secretId), '{"key":"k-1","token":"t-1"}');
  assert.equal(h.brokerJson().credentials[0].secretRef, `vault:secret:${composite.secretId}`);
});

test('several missing names are sorted; basic composites default username to api', async () => {
  const h = await harness();
  assert.equal((await h.createSecret('MAILGUN_API_KEY', 'mg')).lines.at(-1), 'Credential auto-provisioned: mailgun (4 capabilities enabled)');
  const mailgun = (await h.vault.listSecrets()).find((s) => s.name === '__aivault_registry:mailgun:global')!;
  assert.equal(await h.vault.valueOf(mailgun.secretId), '{"password":"mg","username":"api"}');
  const plaid = await h.createSecret('PLAID_SECRET', 's', ws('w'));
  assert.equal(plaid.lines.at(-1), 'Waiting for PLAID_CLIENT_ID to complete plaid credential');
});

test('an alternative-only claim pins and waits for the primary secret (registry.md §7.4 note c)', async () => {
  const h = await harness();
  const { lines } = await h.createSecret('CODEX_OAUTH_JSON', '{}');
  assert.deepEqual(lines, ['Secret created: CODEX_OAUTH_JSON (pinned to provider: openai)', 'Waiting for OPENAI_API_KEY to complete openai credential']);
});

test('a tampered stored credential is reconciled; an identical one is left alone', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('GITHUB_TOKEN', 'g');
  const state = await h.brokerStore.load();
  state.credentials[0] = { ...state.credentials[0]!, hosts: ['evil.example'] };
  await h.brokerStore.save(state);
  const { provisionForSecret } = await import('../../../src/core/registry/provisioning.js');
  const again = await provisionForSecret({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, secret, command: 'import' });
  assert.deepEqual(again.lines, ['Credential auto-reconciled: github (registry auth/hosts/secret binding refreshed)']);
  assert.deepEqual(h.brokerJson().credentials[0].hosts, ['api.github.com']);
  const third = await provisionForSecret({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, secret, command: 'import' });
  assert.deepEqual(third.lines, []);
});

test('a composite is not rebuilt when its components are unchanged, and is rebuilt after a rotation', async () => {
  const h = await harness();
  await h.createSecret('TWILIO_ACCOUNT_SID', 'AC1');
  await h.createSecret('TWILIO_AUTH_TOKEN', 'tok1');
  const find = async () => (await h.vault.listSecrets()).find((s) => s.name === '__aivault_registry:twilio:global')!;
  const before = await find();
  h.clock.advance(1000);
  const derive = () => deriveRegistryCredentials({ vault: h.vault, registry: h.registry, clock: h.clock, secrets: [], stored: [] });
  for (let i = 0; i < 3; i += 1) {
    await deriveRegistryCredentials({ vault: h.vault, registry: h.registry, clock: h.clock, secrets: await h.vault.listSecrets(), stored: [] });
  }
  const after = await find();
  assert.equal(after.valueVersion, before.valueVersion);
  assert.equal(after.updatedAtMs, before.updatedAtMs);
  assert.equal(h.vault.reads.filter((r) => r.purpose === 'secret.autoprovision.compose').length, 2, 'only the initial build decrypted the components');
  assert.deepEqual((await derive()).credentials, []);

  const token = (await h.vault.listSecrets()).find((s) => s.name === 'TWILIO_AUTH_TOKEN')!;
  await h.vault.rotateSecret(token.secretId, new TextEncoder().encode('tok2'));
  h.clock.advance(1);
  const result = await deriveRegistryCredentials({ vault: h.vault, registry: h.registry, clock: h.clock, secrets: await h.vault.listSecrets(), stored: [] });
  assert.deepEqual(result.credentials.map((c) => c.id), ['twilio']);
  const rebuilt = await find();
  assert.equal(rebuilt.secretId, before.secretId);
  assert.equal(rebuilt.valueVersion, before.valueVersion + 1);
  assert.equal(await h.vault.valueOf(rebuilt.secretId), '{"password":"tok2","username":"AC1"}');
});

test('lines are emitted as they are due: a composite failure follows the Secret created line (registry.md §7.4 step 3)', async () => {
  const h = await harness();
  const bad = await h.vault.createSecret({ name: 'TRELLO_API_KEY', value: new Uint8Array([0xff, 0xfe]), scope: { kind: 'global' } });
  const emitted: string[] = [];
  const token = await h.vault.createSecret({ name: 'TRELLO_TOKEN', value: new TextEncoder().encode('t'), scope: { kind: 'global' } });
  await assert.rejects(
    provisionForSecret({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, secret: token, command: 'create', emit: (line) => void emitted.push(line) }),
    (e: Error) => e.message === "secret 'TRELLO_API_KEY' must be utf-8 for composite auth",
  );
  assert.deepEqual(emitted, ['Secret created: TRELLO_TOKEN (pinned to provider: trello)']);
  assert.equal((await h.vault.getSecret(token.secretId)).pinnedProvider, 'trello', 'pinned before the failure');
  assert.equal(bad.name, 'TRELLO_API_KEY');
});

test('group scope (registry.md §7.2): credential <provider>:group:<ws>:<g> with both ids, composite __aivault_registry:<provider>:group:<ws>:<g>', async () => {
  const h = await harness();
  await h.createSecret('TRELLO_API_KEY', 'k', group('acme', 'g1'));
  const done = await h.createSecret('TRELLO_TOKEN', 't', group('acme', 'g1'));
  assert.equal(done.lines.at(-1), 'Credential auto-provisioned: trello:group:acme:g1 (17 capabilities enabled)');
  const composite = (await h.vault.listSecrets()).find((s) => s.name === '__aivault_registry:trello:group:acme:g1')!;
  assert.deepEqual(composite.scope, group('acme', 'g1'));
  const stored = h.brokerJson().credentials[0];
  assert.deepEqual([stored.id, stored.workspaceId, stored.groupId, stored.secretRef], ['trello:group:acme:g1', 'acme', 'g1', `vault:secret:${composite.secretId}`]);
  const ws1 = await h.createSecret('OPENAI_API_KEY', 'sk', ws('acme'));
  assert.equal(ws1.lines.at(-1), 'Credential auto-provisioned: openai:ws:acme (20 capabilities enabled)');
  assert.deepEqual(h.brokerJson().credentials.map((c: { id: string; workspaceId: string | null; groupId: string | null }) => [c.id, c.workspaceId, c.groupId]), [
    ['trello:group:acme:g1', 'acme', 'g1'],
    ['openai:ws:acme', 'acme', null],
  ]);
});
