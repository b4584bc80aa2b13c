// vault.md §11: the pinned-secrets AAD v2 migration and its bookkeeping file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, bytes, readJson, ref, setupVault, text } from './_helpers.js';

const APPLIED = `${ROOT}/migrations/applied.json`;
const ID = '2026-02-13-pinned-secrets-aad-v2';

/** A vault with one legacy record: pinned on disk but still encrypted under the v1 AAD. */
async function legacyVault() {
  const t = setupVault();
  await t.vault.load();
  const legacy = await t.vault.createSecret({ name: 'OPENAI_API_KEY', value: bytes('sk-legacy'), scope: { kind: 'global' } });
  const plain = await t.vault.createSecret({ name: 'PLAIN', value: bytes('p'), scope: { kind: 'global' } });
  const path = `${ROOT}/secrets/${legacy.secretId}.json`;
  t.mem.vol.writeFileSync(path, JSON.stringify({ ...readJson(t.mem, path), pinnedProvider: ' openai ', aadVersion: 0 }, null, 2));
  t.mem.vol.unlinkSync(APPLIED);
  return { ...t, legacy: legacy.secretId, plain: plain.secretId, path };
}

test('a fresh vault records the migration as applied (0700 dir, 0600 file)', async () => {
  const { mem } = setupVault();
  await setupVault({ mem }).vault.load();
  const applied = readJson(mem, APPLIED) as { schemaVersion: number; applied: Array<{ id: string }> };
  assert.equal(applied.schemaVersion, 1);
  assert.deepEqual(applied.applied.map((a) => a.id), [ID]);
  assert.equal(mem.vol.statSync(`${ROOT}/migrations`).mode & 0o777, 0o700);
  assert.equal(mem.vol.statSync(APPLIED).mode & 0o777, 0o600);
});

test('load() re-encrypts pinned v1 records under v2 with the trimmed provider and audits it', async () => {
  const { mem, make, legacy, plain, path } = await legacyVault();
  const plainBefore = readJson(mem, `${ROOT}/secrets/${plain}.json`);
  const vault = make();
  await vault.load();
  const record = readJson(mem, path);
  assert.equal(record['aadVersion'], 2);
  assert.equal(record['pinnedProvider'], 'openai');
  assert.equal(text(await vault.resolve(ref(legacy))), 'sk-legacy');
  assert.deepEqual(readJson(mem, `${ROOT}/secrets/${plain}.json`), plainBefore, 'unpinned records untouched');
  const kinds = (await vault.readAudit(10)).map((e) => e.kind);
  assert.ok(kinds.includes('secret.migration.harden_aad_v2'));
  assert.deepEqual((readJson(mem, APPLIED)['applied'] as Array<{ id: string }>).map((a) => a.id), [ID]);
});

test('a record that fails keeps the migration unrecorded so it retries; a bad applied.json reads as empty', async () => {
  const { mem, make, path } = await legacyVault();
  const good = readJson(mem, path);
  const ct = good['ciphertext'] as { value: { ciphertextB64: string } };
  mem.vol.writeFileSync(path, JSON.stringify({ ...good, ciphertext: { ...ct, value: { ...ct.value, ciphertextB64: 'AAAA' } } }));
  await make().load();
  assert.equal(mem.vol.existsSync(APPLIED), false, 'not recorded after a failure');
  mem.vol.writeFileSync(path, JSON.stringify(good));
  mem.vol.writeFileSync(APPLIED, '{ nope');
  await make().load();
  assert.equal(readJson(mem, path)['aadVersion'], 2);
  assert.deepEqual((readJson(mem, APPLIED)['applied'] as Array<{ id: string }>).map((a) => a.id), [ID]);
});

test('a locked passphrase vault migrates on unlock, not on load', async () => {
  const t = setupVault();
  await t.vault.init({ type: 'passphrase', passphrase: 'pw' });
  const meta = await t.vault.createSecret({ name: 'K', value: bytes('v'), scope: { kind: 'global' } });
  const path = `${ROOT}/secrets/${meta.secretId}.json`;
  t.mem.vol.writeFileSync(path, JSON.stringify({ ...readJson(t.mem, path), pinnedProvider: 'openai' }));
  t.mem.vol.unlinkSync(APPLIED);
  const vault = t.make();
  await vault.load();
  assert.equal(readJson(t.mem, path)['aadVersion'], 1);
  await vault.unlock('pw');
  assert.equal(readJson(t.mem, path)['aadVersion'], 2);
  assert.equal(text(await vault.resolve(ref(meta.secretId))), 'v');
});
