// vault.md §5.5 with Decision 5: complete, crash-safe master-key rotation and its recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { createMemFs, withFaultAt } from '../../fakes/memfs-port.js';
import { KEY_A, KEY_B, ROOT, bytes, crashFrom, files, readJson, ref, setupVault, text } from './_helpers.js';
import type { MemFs } from '../../fakes/memfs-port.js';
import type { FsPort } from '../../../src/core/ports.js';

const KEK_A_ID = '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd';
const rejects = (message: string, code = 'vault_error') => (e: unknown) => isBrokerError(e) && e.code === code && e.message === message;

/** A file vault keyed with KEY_A holding three secrets (one revoked, one pinned). */
async function fileVault(mem: MemFs = createMemFs()) {
  mem.vol.mkdirSync(ROOT, { recursive: true });
  mem.vol.writeFileSync(`${ROOT}/kek.key`, KEY_A);
  const t = setupVault({ mem });
  await t.vault.load();
  const values = new Map<string, string>();
  for (const [name, value] of [['ONE', 'v-one'], ['TWO', 'v-two'], ['THREE', 'v-three']] as const) {
    const meta = await t.vault.createSecret({ name, value: bytes(value), scope: { kind: 'global' } });
    values.set(meta.secretId, value);
  }
  await t.vault.pinProvider([...values.keys()][1]!, 'openai');
  const gone = await t.vault.createSecret({ name: 'GONE', value: bytes('x'), scope: { kind: 'global' } });
  await t.vault.revokeSecret(gone.secretId);
  return { ...t, values };
}

async function assertAllDecrypt(fs: FsPort, mem: MemFs, values: Map<string, string>) {
  const vault = setupVault({ mem, fs }).vault;
  await vault.load();
  for (const [id, value] of values) assert.equal(text(await vault.resolve(ref(id))), value, `secret ${id}`);
  return vault;
}

test('file rotation writes the new key to the key file and re-wraps every live record', async () => {
  const { vault, mem, values, make } = await fileVault();
  const before = new Map([...values.keys()].map((id) => [id, readJson(mem, `${ROOT}/secrets/${id}.json`)['ciphertext'] as { value: unknown }]));
  const status = await vault.rotateMaster({ newKey: KEY_B });
  assert.notEqual(status.kekId, KEK_A_ID);
  assert.equal(String(mem.vol.readFileSync(`${ROOT}/kek.key`)), KEY_B);
  assert.equal(readJson(mem, `${ROOT}/vault.json`)['kekId'], status.kekId);
  for (const id of values.keys()) {
    const ciphertext = readJson(mem, `${ROOT}/secrets/${id}.json`)['ciphertext'] as { dekWrapped: { kekId: string }; value: unknown };
    assert.equal(ciphertext.dekWrapped.kekId, status.kekId);
    assert.deepEqual(ciphertext.value, before.get(id)!.value, 'value blob untouched');
  }
  assert.ok(!files(mem, `${ROOT}/state`).includes('rotation.json'));
  assert.equal((await vault.readAudit(1))[0]!.kind, 'vault.rotate_master_key');
  await assertAllDecrypt(mem.fs, mem, values);
  assert.equal(text(await make().resolve(ref([...values.keys()][0]!))), 'v-one');
});

test('rotation input errors', async () => {
  const { vault } = await fileVault();
  await assert.rejects(vault.rotateMaster({}), rejects('new_key required for env/file provider rotation'));
  await assert.rejects(vault.rotateMaster({ newKey: 'short' }), rejects('vault provider misconfigured: invalid vault key (expected base64 or 64-char hex for 32 bytes)'));
  const pass = setupVault();
  await pass.vault.init({ type: 'passphrase', passphrase: 'one' });
  await assert.rejects(pass.vault.rotateMaster({ newKey: KEY_B }), rejects('new_passphrase required for passphrase rotation'));
  await assert.rejects(pass.make().rotateMaster({ newPassphrase: 'two' }), rejects('vault locked', 'vault_locked'));
});

test('file → passphrase, then passphrase → passphrase', async () => {
  const { vault, mem, values, make } = await fileVault();
  const status = await vault.rotateMaster({ newPassphrase: 'first pass' });
  assert.equal(status.providerType, 'passphrase');
  assert.equal(status.locked, false);
  assert.equal(String(mem.vol.readFileSync(`${ROOT}/kek.key`)), KEY_A, 'old key file left alone');
  const fresh = make();
  assert.equal((await fresh.load()).locked, true);
  await assert.rejects(fresh.resolve(ref([...values.keys()][0]!)), rejects('vault locked', 'vault_locked'));
  await fresh.unlock('first pass');
  await fresh.rotateMaster({ newPassphrase: 'second pass' });
  const third = make();
  await assert.rejects(third.unlock('first pass'), rejects('vault provider misconfigured: invalid passphrase'));
  await third.unlock('second pass');
  for (const [id, value] of values) assert.equal(text(await third.resolve(ref(id))), value);
});

test('an env vault rotates to the given key (the operator installs it)', async () => {
  const { vault, values, make } = await (async () => {
    const t = setupVault({ env: { AIVAULT_KEY: KEY_A } });
    await t.vault.init({ type: 'env' });
    const meta = await t.vault.createSecret({ name: 'E', value: bytes('env-v'), scope: { kind: 'global' } });
    return { ...t, values: new Map([[meta.secretId, 'env-v']]) };
  })();
  await vault.rotateMaster({ newKey: KEY_B });
  const [id] = values.keys();
  await assert.rejects(make().resolve(ref(id!)), rejects('vault provider misconfigured: decrypt failed'));
  assert.equal(text(await make({ env: { AIVAULT_KEY: KEY_B } }).resolve(ref(id!))), 'env-v');
});

/** How many mutating fs calls one file rotation makes on a fresh fixture. */
async function countRotationWrites(): Promise<number> {
  const { mem, values } = await fileVault();
  const counted = withFaultAt(mem.fs, Number.POSITIVE_INFINITY);
  await setupVault({ mem, fs: counted.fs }).vault.rotateMaster({ newKey: KEY_B });
  assert.ok(values.size === 3);
  return counted.count();
}

test('a single failed write at EVERY point of a rotation: nothing is lost, the next load finishes or rolls back', async () => {
  const total = await countRotationWrites();
  assert.ok(total > 20, `rotation makes ${total} writes`);
  for (let n = 1; n <= total; n++) {
    const { mem, values } = await fileVault();
    const faulty = withFaultAt(mem.fs, n);
    await setupVault({ mem, fs: faulty.fs }).vault.rotateMaster({ newKey: KEY_B }).catch(() => undefined);
    const vault = await assertAllDecrypt(mem.fs, mem, values);
    await settled(mem, vault, n);
  }
});

test('a crash (every write from n on fails) at EVERY point: a fresh load recovers and all secrets decrypt', async () => {
  const total = await countRotationWrites();
  const outcomes = new Set<string | null>();
  for (let n = 1; n <= total; n++) {
    const { mem, values } = await fileVault();
    const crashed = crashFrom(mem.fs, n);
    // a crash after the commit point (journal removal, audit) still reports success
    const outcome = await setupVault({ mem, fs: crashed.fs }).vault.rotateMaster({ newKey: KEY_B }).then(() => 'ok', () => 'failed');
    if (outcome === 'ok') assert.equal(readJson(mem, `${ROOT}/vault.json`)['kekId'] === KEK_A_ID, false, `success only after commit (n=${n})`);
    const vault = await assertAllDecrypt(mem.fs, mem, values);
    outcomes.add(await settled(mem, vault, n, true));
  }
  assert.equal(outcomes.size, 2, 'early crashes roll back, late ones finish');
});

/** After recovery: no journal, vault.json and key file agree, every record is wrapped under the configured key. */
async function settled(mem: MemFs, vault: { load(): Promise<{ kekId: string | null }> }, n: number, crashed = false): Promise<string | null> {
  const status = await vault.load();
  assert.ok(!mem.vol.existsSync(`${ROOT}/state/rotation.json`), `journal removed (n=${n})`);
  const keyText = String(mem.vol.readFileSync(`${ROOT}/kek.key`));
  assert.equal(keyText, status.kekId === KEK_A_ID ? KEY_A : KEY_B, `key file matches vault.json (n=${n})`);
  for (const name of files(mem, `${ROOT}/secrets`)) {
    if (name.includes('.tmp.')) {
      assert.ok(crashed, `staging files are only left by a crash (n=${n})`);
      continue;
    }
    const record = readJson(mem, `${ROOT}/secrets/${name}`) as { ciphertext?: { dekWrapped: { kekId: string } } };
    if (record.ciphertext) assert.equal(record.ciphertext.dekWrapped.kekId, status.kekId, `record re-wrapped consistently (n=${n})`);
  }
  return status.kekId;
}

test('an interrupted passphrase rotation waits for unlock, which accepts the old or the new passphrase', async () => {
  for (const [n, passphrase] of [[3, 'old pass'], [12, 'new pass'], [12, 'old pass'], [30, 'new pass']] as const) {
    const t = setupVault();
    await t.vault.init({ type: 'passphrase', passphrase: 'old pass' });
    const a = await t.vault.createSecret({ name: 'A', value: bytes('a'), scope: { kind: 'global' } });
    const b = await t.vault.createSecret({ name: 'B', value: bytes('b'), scope: { kind: 'global' } });
    const crashed = crashFrom(t.mem.fs, n);
    const crashing = setupVault({ mem: t.mem, fs: crashed.fs });
    await crashing.vault.unlock('old pass');
    await crashing.vault.rotateMaster({ newPassphrase: 'new pass' }).catch(() => undefined);
    const fresh = t.make();
    assert.equal((await fresh.load()).locked, true);
    const journal = t.mem.vol.existsSync(`${ROOT}/state/rotation.json`);
    const accepted = await fresh.unlock(passphrase).then(() => true, () => false);
    if (!accepted) {
      assert.ok(!journal, `without a journal only the configured passphrase opens (n=${n})`);
      await fresh.unlock(passphrase === 'old pass' ? 'new pass' : 'old pass');
    }
    assert.equal(text(await fresh.resolve(ref(a.secretId))), 'a');
    assert.equal(text(await fresh.resolve(ref(b.secretId))), 'b');
    assert.ok(!t.mem.vol.existsSync(`${ROOT}/state/rotation.json`), `journal cleared by unlock (n=${n})`);
  }
});

test('the journal holds no plaintext key and a malformed journal fails closed', async () => {
  const { mem, values } = await fileVault();
  const crashed = crashFrom(mem.fs, 12);
  await setupVault({ mem, fs: crashed.fs }).vault.rotateMaster({ newKey: KEY_B }).catch(() => undefined);
  const journalText = String(mem.vol.readFileSync(`${ROOT}/state/rotation.json`));
  assert.ok(!journalText.includes(KEY_A) && !journalText.includes(KEY_B));
  assert.deepEqual(Object.keys(JSON.parse(journalText)), ['version', 'startedAtMs', 'oldKekId', 'newKekId', 'oldProvider', 'newProvider', 'newKeyWrapped', 'oldKeyWrapped']);
  mem.vol.writeFileSync(`${ROOT}/state/rotation.json`, '{"version": 1');
  await assert.rejects(setupVault({ mem }).vault.load(), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith(`malformed file ${ROOT}/state/rotation.json`));
  assert.ok(values.size === 3);
});
