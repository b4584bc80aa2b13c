// vault.md §8 with Decision 2 (scope rule on every read), tamper resistance (§6.3), HMAC, lookups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/core/broker-error.js';
import type { Scope } from '../../../src/core/vault/types.js';
import { KEY_B, ROOT, bytes, readJson, ref, setupVault, text } from './_helpers.js';

const denied = (e: unknown) => isBrokerError(e, 'secret_not_accessible') && e.message === 'secret not accessible';
const rejects = (message: string) => (e: unknown) => isBrokerError(e, 'vault_error') && e.message === message;

async function withSecret(scope: Scope) {
  const t = setupVault();
  await t.vault.load();
  const meta = await t.vault.createSecret({ name: 'S', value: bytes('value'), scope });
  return { ...t, id: meta.secretId };
}

const contexts = {
  none: {},
  wsA: { workspaceId: 'A' },
  wsB: { workspaceId: 'B' },
  grpA1: { workspaceId: 'A', groupId: '1' },
  grpA2: { workspaceId: 'A', groupId: '2' },
  grpB1: { workspaceId: 'B', groupId: '1' },
} as const;

const table: Array<[string, Scope, Record<keyof typeof contexts, boolean>]> = [
  ['global', { kind: 'global' }, { none: true, wsA: true, wsB: true, grpA1: false, grpA2: false, grpB1: false }],
  ['workspace A', { kind: 'workspace', workspaceId: 'A' }, { none: false, wsA: true, wsB: false, grpA1: true, grpA2: true, grpB1: false }],
  ['group A/1', { kind: 'group', workspaceId: 'A', groupId: '1' }, { none: false, wsA: false, wsB: false, grpA1: true, grpA2: false, grpB1: false }],
];

for (const [label, scope, expected] of table) {
  test(`scope rule on every read: ${label} secret`, async () => {
    const { vault, id } = await withSecret(scope);
    for (const [name, context] of Object.entries(contexts)) {
      const attempt = vault.resolve(ref(id), context);
      if (expected[name as keyof typeof contexts]) assert.equal(text(await attempt), 'value', `${name} allowed`);
      else await assert.rejects(attempt, denied, `${name} denied`);
    }
  });
}

test('an attachment grants exactly its (workspace, group); skipScopeCheck bypasses the rule', async () => {
  const { vault, id } = await withSecret({ kind: 'group', workspaceId: 'A', groupId: '1' });
  await vault.attachGroup(id, 'B', '1');
  assert.equal(text(await vault.resolve(ref(id), contexts.grpB1)), 'value');
  await assert.rejects(vault.resolve(ref(id), contexts.wsB), denied);
  await assert.rejects(vault.resolve(ref(id), contexts.grpA2), denied);
  const global = await vault.createSecret({ name: 'G', value: bytes('g'), scope: { kind: 'global' } });
  await assert.rejects(vault.resolve(ref(global.secretId), contexts.grpA1), denied);
  assert.equal(text(await vault.resolve(ref(global.secretId), { ...contexts.grpA1, skipScopeCheck: true })), 'g');
  await vault.attachGroup(global.secretId, 'A', '1');
  assert.equal(text(await vault.resolve(ref(global.secretId), contexts.grpA1)), 'g');
  await assert.rejects(vault.resolve(ref(id), { groupId: '1' }), rejects('workspace_id and group_id are required'));
});

test('a denied read audits secret.access.denied (group note when in a group) and marks nothing used', async () => {
  const { vault, mem, id } = await withSecret({ kind: 'workspace', workspaceId: 'A' });
  await assert.rejects(vault.resolve(ref(id), { workspaceId: 'B', groupId: 'x' }), denied);
  const [event] = await vault.readAudit(1);
  assert.deepEqual(
    { kind: event!.kind, secretId: event!.secretId, scope: event!.scope, note: event!.note },
    { kind: 'secret.access.denied', secretId: id, scope: 'workspace:A', note: 'group:B:x' },
  );
  await assert.rejects(vault.resolve(ref(id)), denied);
  assert.equal((await vault.readAudit(1))[0]!.note, undefined);
  assert.equal(readJson(mem, `${ROOT}/secrets/${id}.json`)['lastUsedAtMs'], undefined);
});

test('only the secret actually read is marked used and audited with purpose and consumer', async () => {
  const { vault, clock, id } = await withSecret({ kind: 'global' });
  const other = await vault.createSecret({ name: 'OTHER', value: bytes('o'), scope: { kind: 'global' } });
  clock.advance(100);
  await vault.resolve(ref(id), { purpose: 'broker.credential.load', consumer: 'aivault-cli' });
  assert.equal((await vault.getSecret(id)).lastUsedAtMs, clock.now());
  assert.equal((await vault.getSecret(other.secretId)).lastUsedAtMs, null);
  const [event] = await vault.readAudit(1);
  assert.deepEqual(event, { tsMs: clock.now(), kind: 'secret.used', secretId: id, scope: 'global', actor: 'operator', capability: 'broker.credential.load', consumer: 'aivault-cli' });
});

test('tampering with scope, pin, aadVersion or the ciphertext on disk fails closed', async () => {
  const { vault, mem, id } = await withSecret({ kind: 'workspace', workspaceId: 'A' });
  await vault.pinProvider(id, 'openai');
  const path = `${ROOT}/secrets/${id}.json`;
  const original = readJson(mem, path);
  const decryptFailed = rejects('vault provider misconfigured: decrypt failed');
  const write = (patch: Record<string, unknown>) => mem.vol.writeFileSync(path, JSON.stringify({ ...original, ...patch }, null, 2));

  write({ scope: 'global' }); // widening the scope on disk must not widen access
  await assert.rejects(vault.resolve(ref(id)), decryptFailed);
  write({ pinnedProvider: 'evil' });
  await assert.rejects(vault.resolve(ref(id), { workspaceId: 'A' }), decryptFailed);
  write({ pinnedProvider: undefined, aadVersion: 1 });
  await assert.rejects(vault.resolve(ref(id), { workspaceId: 'A' }), decryptFailed);
  const ct = original['ciphertext'] as { value: { ciphertextB64: string } };
  write({ ciphertext: { ...ct, value: { ...ct.value, ciphertextB64: ct.value.ciphertextB64.slice(0, 12) } } });
  await assert.rejects(vault.resolve(ref(id), { workspaceId: 'A' }), decryptFailed);
  write({});
  assert.equal(text(await vault.resolve(ref(id), { workspaceId: 'A' })), 'value');
});

test('moving a ciphertext to another record fails closed', async () => {
  const { vault, mem, id } = await withSecret({ kind: 'global' });
  const other = await vault.createSecret({ name: 'T', value: bytes('target'), scope: { kind: 'global' } });
  const stolen = readJson(mem, `${ROOT}/secrets/${id}.json`)['ciphertext'];
  const targetPath = `${ROOT}/secrets/${other.secretId}.json`;
  mem.vol.writeFileSync(targetPath, JSON.stringify({ ...readJson(mem, targetPath), ciphertext: stolen }));
  await assert.rejects(vault.resolve(ref(other.secretId)), rejects('vault provider misconfigured: decrypt failed'));
});

test('a wrong or unreadable key fails with provider errors, never the value', async () => {
  const { vault, mem, id } = await withSecret({ kind: 'global' });
  mem.vol.writeFileSync(`${ROOT}/kek.key`, KEY_B);
  await assert.rejects(vault.resolve(ref(id)), rejects('vault provider misconfigured: decrypt failed'));
  mem.vol.writeFileSync(`${ROOT}/kek.key`, 'garbage');
  await assert.rejects(vault.resolve(ref(id)), rejects('vault provider misconfigured: invalid vault key (expected base64 or 64-char hex for 32 bytes)'));
  mem.vol.unlinkSync(`${ROOT}/kek.key`);
  await assert.rejects(vault.resolve(ref(id)), rejects('vault provider misconfigured: failed to read key file: No such file or directory (os error 2)'));
});

test('signHmacSha256: contract vector, payload cap, and it audits the read', async () => {
  const t = setupVault();
  await t.vault.load();
  const meta = await t.vault.createSecret({ name: 'HMAC', value: bytes('test-key'), scope: { kind: 'global' } });
  assert.equal(await t.vault.signHmacSha256(ref(meta.secretId), bytes('payload')), 'ce216971565342fd63ad7106fbea61bcda701ceac70c809b84adf50647026998');
  assert.equal((await t.vault.readAudit(1))[0]!.kind, 'secret.used');
  await assert.rejects(t.vault.signHmacSha256(ref(meta.secretId), new Uint8Array(1024 * 1024 + 1)), rejects('HMAC payload is too large'));
  await assert.rejects(t.vault.signHmacSha256(ref(meta.secretId), bytes('p'), { workspaceId: 'A', groupId: '1' }), denied);
});

test('findGlobalRefByName: name or alias, non-revoked global only, smallest id wins', async () => {
  const t = setupVault();
  await t.vault.load();
  const key = await t.vault.createSecret({ name: 'KEY', value: bytes('1'), scope: { kind: 'global' } });
  await t.vault.createSecret({ name: 'SCOPED', value: bytes('2'), scope: { kind: 'workspace', workspaceId: 'w' } });
  const x = await t.vault.createSecret({ name: 'X', value: bytes('3'), scope: { kind: 'global' }, aliases: ['ALT'] });
  const y = await t.vault.createSecret({ name: 'Y', value: bytes('4'), scope: { kind: 'global' }, aliases: ['ALT'] });
  assert.equal(await t.vault.findGlobalRefByName(' KEY '), ref(key.secretId));
  assert.equal(await t.vault.findGlobalRefByName('ALT'), ref([x.secretId, y.secretId].sort()[0]!));
  assert.equal(await t.vault.findGlobalRefByName('SCOPED'), null);
  assert.equal(await t.vault.findGlobalRefByName(' '), null);
  await t.vault.revokeSecret(key.secretId);
  assert.equal(await t.vault.findGlobalRefByName('KEY'), null);
});
