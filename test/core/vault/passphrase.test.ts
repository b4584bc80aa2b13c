// vault.md §5.3 with Decision 4/18: deriveKey, unlockWithKey (the daemon path), unlock, lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { bytes, ref, setupVault, text } from './_helpers.js';

const invalid = (e: unknown) => isBrokerError(e, 'vault_error') && e.message === 'vault provider misconfigured: invalid passphrase';
const locked = (e: unknown) => isBrokerError(e, 'vault_locked') && e.message === 'vault locked';

async function passphraseVault() {
  const t = setupVault();
  await t.vault.init({ type: 'passphrase', passphrase: 'open sesame' });
  const meta = await t.vault.createSecret({ name: 'P', value: bytes('pv'), scope: { kind: 'global' } });
  return { ...t, id: meta.secretId };
}

test('a fresh instance is locked: key operations fail with `vault locked`, metadata still works', async () => {
  const { make, id } = await passphraseVault();
  const vault = make();
  assert.equal((await vault.load()).locked, true);
  await assert.rejects(vault.resolve(ref(id)), locked);
  await assert.rejects(vault.createSecret({ name: 'Q', value: bytes('q'), scope: { kind: 'global' } }), locked);
  await assert.rejects(vault.rotateSecret(id, bytes('x')), locked);
  assert.equal((await vault.listSecrets()).length, 1);
  assert.equal((await vault.getSecret(id)).name, 'P');
});

test('unlock caches the key in memory; a wrong passphrase is `invalid passphrase`; lock wipes it', async () => {
  const { make, id } = await passphraseVault();
  const vault = make();
  await assert.rejects(vault.unlock('wrong'), invalid);
  const status = await vault.unlock('open sesame');
  assert.equal(status.locked, false);
  assert.equal(text(await vault.resolve(ref(id))), 'pv');
  const kinds = (await vault.readAudit(3)).map((e) => e.kind);
  assert.deepEqual(kinds.slice(0, 2), ['secret.used', 'vault.unlock']);
  assert.equal((await vault.lock()).locked, true);
  assert.equal((await vault.readAudit(1))[0]!.kind, 'vault.lock');
  await assert.rejects(vault.resolve(ref(id)), locked);
});

test('deriveKey + unlockWithKey: what the CLI derives, the daemon verifies and keeps', async () => {
  const { make, id } = await passphraseVault();
  const cli = make();
  await assert.rejects(cli.deriveKey('nope'), invalid);
  const kek = await cli.deriveKey('open sesame');
  assert.equal(kek.length, 32);
  assert.equal((await cli.status()).locked, true, 'deriveKey caches nothing');
  const daemon = make();
  await assert.rejects(daemon.unlockWithKey(new Uint8Array(32)), invalid);
  await assert.rejects(daemon.unlockWithKey(new Uint8Array(5)), invalid);
  assert.equal((await daemon.unlockWithKey(kek)).locked, false);
  kek.fill(0); // the caller's copy is wiped; the daemon keeps its own
  assert.equal(text(await daemon.resolve(ref(id))), 'pv');
});

test('unlock/lock on non-passphrase vaults: unlock is a no-op without audit; lock still audits', async () => {
  const t = setupVault();
  await t.vault.load();
  const before = (await t.vault.readAudit(100)).length;
  assert.equal((await t.vault.unlock('anything')).locked, false);
  assert.equal((await t.vault.unlockWithKey(new Uint8Array(32))).locked, false);
  assert.equal((await t.vault.readAudit(100)).length, before);
  assert.equal((await t.vault.lock()).locked, false);
  assert.equal((await t.vault.readAudit(1))[0]!.kind, 'vault.lock');
  await assert.rejects(t.vault.deriveKey('x'), (e: unknown) => isBrokerError(e, 'vault_error'));
});

test('a key cached for an old kekId does not open a vault another process re-keyed', async () => {
  const { vault, make, id } = await passphraseVault();
  const other = make();
  await other.unlock('open sesame');
  await other.rotateMaster({ newPassphrase: 'new one' });
  await assert.rejects(vault.resolve(ref(id)), locked);
  await vault.unlock('new one');
  assert.equal(text(await vault.resolve(ref(id))), 'pv');
});
