// Watch-validated caches on a real directory: a warm resolve costs no stat and no read; another
// process (a second `createVault` on the same directory) changing a record, vault.json, the key
// file or secrets/ is seen by the next call once its watch event arrived (waited for through a
// hook on the port, never a sleep); a failing watcher falls back to the stat path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { createVault } from '../../../src/core/vault/create-vault.js';
import type { FsPort } from '../../../src/core/ports.js';
import { nodeFs } from '../../../src/transport-inproc/node-fs.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { bytes, ref, text } from './_helpers.js';

/** nodeFs whose watch events are also reported to `waitFor` (the test hook). */
function hookedFs(base: FsPort = nodeFs) {
  const seen: Array<{ dir: string; name: string | null }> = [];
  const waiters = new Set<() => void>();
  const fs: FsPort = {
    ...base,
    watch: (path, onChange, onError) =>
      base.watch!(path, (name) => {
        onChange(name);
        seen.push({ dir: path, name });
        for (const wake of [...waiters]) wake();
      }, onError),
  };
  /** Resolves once an event for `name` in `dir` arrived after `from` events. */
  const waitFor = (dir: string, name: string, from: number) =>
    new Promise<void>((resolve) => {
      // watchers do not keep the process alive; this does, while the test waits
      const alive = setInterval(() => undefined, 60_000);
      const check = () => {
        if (seen.slice(from).some((e) => e.dir === dir && (e.name === name || e.name === null))) {
          waiters.delete(check);
          clearInterval(alive);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });
  return { fs, waitFor, mark: () => seen.length };
}

async function setup(fs: FsPort, hook?: ReturnType<typeof hookedFs>) {
  const dir = mkdtempSync(join(tmpdir(), 'aivault-watch-'));
  const root = join(dir, 'vault');
  const clock = createManualClock();
  const make = (port: FsPort) =>
    createVault({ fs: port, crypto: globalThis.crypto, clock, env: {}, rootDir: root, home: join(dir, 'home'), pid: 99, sleep: async () => undefined, disableAudit: true });
  const other = make(nodeFs);
  await other.load();
  const meta = await other.createSecret({ name: 'S', value: bytes('one'), scope: { kind: 'global' } });
  const counting = countingFs(fs);
  const first = make(counting.fs);
  await first.load();
  const from = hook?.mark() ?? 0;
  assert.equal(text(await first.resolve(ref(meta.secretId))), 'one');
  assert.equal((await first.secretsNamed(['S'])).length, 1);
  await first.flush();
  // the first use wrote lastUsedAtMs: let its event arrive before measuring
  if (hook !== undefined) await hook.waitFor(join(root, 'secrets'), `${meta.secretId}.json`, from);
  const done = () => {
    first.close?.();
    other.close?.();
    rmSync(dir, { recursive: true, force: true });
  };
  return { root, first, other, id: meta.secretId, counting, clock, done, keyPath: first.paths.defaultKeyPath };
}

test('a warm resolve and lookup cost no stat and no read while the watchers see no change; the safety net re-stats after 1 s', { timeout: 20_000 }, async () => {
  const hook = hookedFs();
  const t = await setup(hook.fs, hook);
  try {
    await t.first.resolve(ref(t.id));
    await t.first.secretsNamed(['S']);
    t.counting.reset();
    for (let i = 0; i < 3; i++) {
      assert.equal(text(await t.first.resolve(ref(t.id))), 'one');
      await t.first.secretsNamed(['S']);
    }
    assert.deepEqual(t.counting.calls, [], 'nothing touched the filesystem');
    t.clock.advance(1000);
    await t.first.resolve(ref(t.id));
    assert.ok(t.counting.count('stat') >= 2, 'past the safety interval the caches re-validate by stat');
    assert.deepEqual((t.counting.calls as Array<{ method: string; path: string }>).filter((c) => c.method === 'readFile').map((c) => c.path), [join(t.root, 'secrets', `${t.id}.json`)], 'vault.json and the key are not read again; the record is, once');
  } finally {
    t.done();
  }
});

test('a record rotated and revoked by another process is seen once its event arrived', { timeout: 20_000 }, async () => {
  const hook = hookedFs();
  const t = await setup(hook.fs, hook);
  try {
    const secretsDir = join(t.root, 'secrets');
    let from = hook.mark();
    await t.other.rotateSecret(t.id, bytes('two'));
    await hook.waitFor(secretsDir, `${t.id}.json`, from);
    assert.equal(text(await t.first.resolve(ref(t.id))), 'two');
    from = hook.mark();
    await t.other.revokeSecret(t.id);
    await hook.waitFor(secretsDir, `${t.id}.json`, from);
    await assert.rejects(t.first.resolve(ref(t.id)), (e: unknown) => isBrokerError(e, 'vault_error') && e.message === 'secret revoked');
  } finally {
    t.done();
  }
});

test('a secret created by another process shows in the index once secrets/ reported it', { timeout: 20_000 }, async () => {
  const hook = hookedFs();
  const t = await setup(hook.fs, hook);
  try {
    const from = hook.mark();
    const created = await t.other.createSecret({ name: 'NEW', value: bytes('x'), scope: { kind: 'global' } });
    await hook.waitFor(join(t.root, 'secrets'), `${created.secretId}.json`, from);
    assert.deepEqual((await t.first.secretsNamed(['NEW'])).map((s) => s.secretId), [created.secretId]);
  } finally {
    t.done();
  }
});

test('vault.json and the key file edited in place by another process are seen once their events arrived', { timeout: 20_000 }, async () => {
  const hook = hookedFs();
  const t = await setup(hook.fs, hook);
  try {
    const configPath = join(t.root, 'vault.json');
    const good = readFileSync(configPath, 'utf8');
    let from = hook.mark();
    writeFileSync(configPath, '{ "version": 1,');
    await hook.waitFor(t.root, 'vault.json', from);
    await assert.rejects(t.first.resolve(ref(t.id)), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith(`malformed file ${configPath}`));
    from = hook.mark();
    writeFileSync(configPath, good);
    await hook.waitFor(t.root, 'vault.json', from);
    assert.equal(text(await t.first.resolve(ref(t.id))), 'one');

    const goodKey = readFileSync(t.keyPath, 'utf8');
    from = hook.mark();
    writeFileSync(t.keyPath, 'not a key');
    await hook.waitFor(join(t.keyPath, '..'), t.keyPath.split('/').pop()!, from);
    await assert.rejects(t.first.resolve(ref(t.id)), (e: unknown) => isBrokerError(e) && e.message.includes('invalid vault key'));
    from = hook.mark();
    writeFileSync(t.keyPath, goodKey);
    await hook.waitFor(join(t.keyPath, '..'), t.keyPath.split('/').pop()!, from);
    assert.equal(text(await t.first.resolve(ref(t.id))), 'one');
  } finally {
    t.done();
  }
});

test('a watcher that fails falls back to a stat per call, and a port without watch never watches', { timeout: 20_000 }, async () => {
  const failing: FsPort = { ...nodeFs, watch: (_path, _onChange, onError) => (onError(), () => undefined) };
  const { watch: _unused, ...plain } = nodeFs;
  for (const fs of [failing, plain as FsPort]) {
    const t = await setup(fs);
    try {
      t.counting.reset();
      await t.first.resolve(ref(t.id));
      assert.ok(t.counting.count('stat') >= 2, 'stat-validated as before');
      assert.equal(t.counting.count('readFile'), 1, 'the record is read every call, as before');
    } finally {
      t.done();
    }
  }
});
