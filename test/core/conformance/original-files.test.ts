// Files written the way the original writes them (hand-made JSON per the spec) open in ours,
// including the lenient-read cases: defaults for left-out keys, `null` as absent, unknown keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemFs } from '../../fakes/memfs-port.js';
import { setupVault, ROOT, KEY_A, text, ref } from '../vault/_helpers.js';
import { createBindingsStore } from '../../../src/core/registry/bindings-store.js';
import { parseBrokerState, serializeBrokerState } from '../../../src/core/registry/broker-store.js';

const ID = '3f2504e0-4f89-41d3-9d0a-0305e82c3301';
const KEK_ID = '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd';
/** The §6.7 vector record, as the original pretty-prints it (no trailing newline). */
const RECORD = JSON.stringify(
  {
    secretId: ID, name: 'OPENAI_API_KEY', aliases: [], scope: 'global', systemManaged: false, pinnedProvider: 'openai',
    aadVersion: 2, createdAtMs: 1760000000000, updatedAtMs: 1760000000004, valueVersion: 1,
    ciphertext: {
      alg: 'xchacha20poly1305+envelope',
      dekWrapped: { kekId: KEK_ID, alg: 'xchacha20poly1305', nonceB64: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYX', ciphertextB64: 'O2eq2jV3KAuW4YNrbvcNTe7ijQBYc7hO2r+aE5gIUPwQ9vJKCLRoN2qNNmB/Cu37' },
      value: { alg: 'xchacha20poly1305', nonceB64: 'ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7', ciphertextB64: 'DPlUuDVpGBjoPSNYAgpxIEVZuOZl3nw=' },
    },
    attachedGroups: [],
  },
  null,
  2,
);
const config = (provider: Record<string, unknown>): string =>
  JSON.stringify({ version: 1, createdAtMs: 1760000000000, updatedAtMs: 1760000000000, provider, kekId: KEK_ID }, null, 2);

test('an original file-provider vault opens, its vector secret resolves, and ours writes the record back byte-identically', async () => {
  const mem = createMemFs({
    [`${ROOT}/vault.json`]: config({ type: 'file', path: `${ROOT}/kek.key` }),
    [`${ROOT}/kek.key`]: KEY_A,
    [`${ROOT}/secrets/${ID}.json`]: RECORD,
  });
  const { vault, clock } = setupVault({ mem });
  assert.deepEqual(await vault.load(), { enabled: true, providerType: 'file', locked: false, kekId: KEK_ID });
  await vault.updateSecret(ID, { aliases: [] });
  const expected = RECORD.replace('"updatedAtMs": 1760000000004', `"updatedAtMs": ${clock.now()}`);
  assert.equal(String(mem.vol.readFileSync(`${ROOT}/secrets/${ID}.json`)), expected);
  assert.equal(text(await vault.resolve(ref(ID))), 'sk-test');
});

test('vault.json: an env provider without env_var reads AIVAULT_KEY (vault.md §5.2 default)', async () => {
  const mem = createMemFs({ [`${ROOT}/vault.json`]: config({ type: 'env' }), [`${ROOT}/secrets/${ID}.json`]: RECORD });
  const { vault } = setupVault({ mem, env: { AIVAULT_KEY: KEY_A } });
  assert.equal((await vault.load()).providerType, 'env');
  assert.equal(text(await vault.resolve(ref(ID))), 'sk-test');
});

test('audit read: null optional keys are absent, unknown keys dropped; a line with a non-integer tsMs or a mistyped key is skipped', async () => {
  const mem = createMemFs({
    [`${ROOT}/vault.json`]: config({ type: 'file', path: `${ROOT}/kek.key` }),
    [`${ROOT}/kek.key`]: KEY_A,
    [`${ROOT}/audit/2025-10.jsonl`]: [
      '{"tsMs":5,"kind":"vault.lock","secretId":null,"scope":null,"actor":"operator","note":null}',
      '{"tsMs":6.5,"kind":"vault.unlock"}',
      '{"tsMs":7,"kind":"vault.unlock","note":7}',
      '{"tsMs":8,"kind":"secret.used","secretId":"s","extra":{"x":1},"consumer":"c"}',
      '{"tsMs":9,"kind":"capability.invoked","capability":"openai/x","host":"api.openai.com","status":200,"outcome":"ok","transport":"inproc"}',
      '',
    ].join('\n'),
  });
  const { vault } = setupVault({ mem, env: { AIVAULT_DISABLE_DISK_LOGS: '1' } });
  assert.deepEqual(await vault.readAudit(10), [
    { tsMs: 9, kind: 'capability.invoked', capability: 'openai/x', host: 'api.openai.com', status: 200, outcome: 'ok', transport: 'inproc' },
    { tsMs: 8, kind: 'secret.used', secretId: 's', consumer: 'c' },
    { tsMs: 5, kind: 'vault.lock', actor: 'operator' },
  ]);
});

test('capabilities.json: a null consumer is absent and unknown keys are ignored', async () => {
  const path = '/v/capabilities.json';
  const mem = createMemFs({
    [path]: JSON.stringify({
      version: 1,
      bindings: [
        { capability: 'a/b', secretRef: `vault:secret:${ID}`, scope: { type: 'global' }, consumer: null, updatedAtMs: 1 },
        { capability: 'a/c', secretRef: `vault:secret:${ID}`, scope: { type: 'workspace', workspace_id: 'w', note: 'x' }, updatedAtMs: 2, extra: true },
      ],
    }),
  });
  const store = createBindingsStore({ fs: mem.fs, path, pid: 1, uuid: () => 'u' });
  assert.deepEqual(await store.load(), [
    { capability: 'a/b', secretRef: `vault:secret:${ID}`, scope: { type: 'global' }, updatedAtMs: 1 },
    { capability: 'a/c', secretRef: `vault:secret:${ID}`, scope: { type: 'workspace', workspace_id: 'w' }, updatedAtMs: 2 },
  ]);
});

test('broker.json: null optional credential keys read as absent and are omitted again on save', () => {
  const credential = {
    id: 'c', provider: 'my-api', workspaceId: null, groupId: null,
    auth: { header: { header_name: 'x-key', value_template: '{{secret}}' } }, hosts: ['api.example.com'],
    capabilities: null, priority: null, upstreamPathPrefix: null, secretRef: `vault:secret:${ID}`, maxPolicyMode: null,
  };
  const state = parseBrokerState(JSON.stringify({ version: 1, credentials: [credential], capabilities: [], policies: [] }), 'broker.json');
  assert.deepEqual(state.problems, []);
  const saved = JSON.parse(serializeBrokerState(state)) as { credentials: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(saved.credentials[0]!), ['id', 'provider', 'workspaceId', 'groupId', 'auth', 'hosts', 'secretRef']);
});
