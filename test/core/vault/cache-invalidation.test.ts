// Stat-validated caches never hide another process's change: a second `createVault` on the same
// fs ("another process") changes the config, the key file or a record; the first sees it next call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { createAuditLog } from '../../../src/core/vault/audit-log.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { KEY_B, ROOT, bytes, files, ref, setupVault, text } from './_helpers.js';

async function twoProcesses() {
  const t = setupVault();
  await t.vault.load();
  const meta = await t.vault.createSecret({ name: 'S', value: bytes('one'), scope: { kind: 'global' } });
  const first = t.make();
  await first.load();
  assert.equal(text(await first.resolve(ref(meta.secretId))), 'one', 'caches warm');
  return { ...t, first, other: t.make(), id: meta.secretId };
}

/** memfs keeps ms mtimes: push `secrets/`'s mtime on so another process's change is visible within one tick. */
function nextTick(mem: ReturnType<typeof setupVault>['mem'], step: number): void {
  const later = Date.now() / 1000 + 60 * step;
  mem.vol.utimesSync(`${ROOT}/secrets`, later, later);
}

test('a record changed by another process: the next resolve and listing see it', async () => {
  const { first, other, id, mem } = await twoProcesses();
  assert.equal((await first.secretsNamed(['S'])).length, 1, 'index built');
  await other.rotateSecret(id, bytes('two'));
  await other.updateSecret(id, { name: 'RENAMED' });
  nextTick(mem, 1);
  assert.equal(text(await first.resolve(ref(id))), 'two');
  assert.deepEqual((await first.secretsNamed(['RENAMED'])).map((s) => s.secretId), [id]);
  assert.deepEqual(await first.secretsNamed(['S']), []);
  await other.revokeSecret(id);
  nextTick(mem, 2);
  await assert.rejects(first.resolve(ref(id)), (e: unknown) => isBrokerError(e, 'vault_error') && e.message === 'secret revoked');
  assert.notEqual((await first.secretsNamed(['RENAMED']))[0]!.revokedAtMs, null, 'revoked ones are included');
});

test('vault.json changed by another process is re-read: malformed, removed, restored', async () => {
  const { first, mem, id } = await twoProcesses();
  const path = `${ROOT}/vault.json`;
  const good = String(mem.vol.readFileSync(path));
  mem.vol.writeFileSync(path, '{ "version": 1,');
  await assert.rejects(first.resolve(ref(id)), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith(`malformed file ${path}: invalid JSON`));
  mem.vol.unlinkSync(path);
  assert.equal((await first.status()).enabled, false);
  mem.vol.writeFileSync(path, good);
  assert.equal(text(await first.resolve(ref(id))), 'one');
});

test('the key file changed by another process is re-read (an unreadable key fails, a rotated key works)', async () => {
  const { first, other, mem, id } = await twoProcesses();
  const keyPath = `${ROOT}/kek.key`;
  const good = String(mem.vol.readFileSync(keyPath));
  mem.vol.writeFileSync(keyPath, 'not a key');
  await assert.rejects(first.resolve(ref(id)), (e: unknown) => isBrokerError(e) && e.message.includes('invalid vault key'));
  mem.vol.writeFileSync(keyPath, good);
  assert.equal(text(await first.resolve(ref(id))), 'one');
  await other.rotateMaster({ newKey: KEY_B });
  assert.equal(text(await first.resolve(ref(id))), 'one', 'new vault.json, new key file, re-wrapped record');
  assert.equal((await first.status()).kekId, (await other.status()).kekId);
});

test('own writes keep the caches coherent: init-time config, rotate-master, then resolve', async () => {
  const { first, id } = await twoProcesses();
  const before = (await first.status()).kekId;
  await first.rotateMaster({ newKey: KEY_B });
  assert.notEqual((await first.status()).kekId, before);
  assert.equal(text(await first.resolve(ref(id))), 'one');
});

test('the audit log stats its segment once, then counts; rotation is confirmed on disk', async () => {
  const mem = setupVault().mem;
  const spy = countingFs(mem.fs);
  const clock = createManualClock(Date.UTC(2026, 2, 1));
  const dir = '/v/audit';
  const mine = createAuditLog({ fs: spy.fs, clock, env: {}, auditDir: dir, rotateBytes: 200 });
  const theirs = createAuditLog({ fs: mem.fs, clock, env: {}, auditDir: dir, rotateBytes: 200 });
  await mine.append({ tsMs: 1, kind: 'first' });
  spy.reset();
  await mine.append({ tsMs: 2, kind: 'second' });
  assert.deepEqual(spy.calls.map((c) => c.method), ['appendFile'], 'no mkdir, no stat on a warm append');
  for (let i = 0; i < 6; i++) await theirs.append({ tsMs: 10 + i, kind: 'other-process' });
  assert.deepEqual(files(mem, dir), ['2026-03.jsonl.1', '2026-03.jsonl'].sort(), 'the other instance rotated');
  for (let i = 0; i < 8; i++) await mine.append({ tsMs: 20 + i, kind: 'mine' });
  const segments = files(mem, dir);
  assert.ok(segments.includes('2026-03.jsonl.2'), `our count reached the limit and the disk confirmed it: ${segments.join(',')}`);
  for (const name of segments) assert.ok(mem.vol.statSync(`${dir}/${name}`).size < 260, `${name} did not overshoot`);
  mem.vol.rmSync(dir, { recursive: true });
  await mine.append({ tsMs: 99, kind: 'after-removal' });
  assert.equal((await mine.read(1))[0]!.kind, 'after-removal', 'a removed directory is created again');
});
