// The perf pass: a warm resolve costs a few cheap fs calls, independent of the vault's size;
// lastUsedAtMs is advisory (≥60 s, no fsync, not awaited); reads never queue behind mutations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FsPort } from '../../../src/core/ports.js';
import { compareBytes } from '../../../src/core/vault/_ordering.js';
import { LAST_USED_REFRESH_MS } from '../../../src/core/vault/access.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { ROOT, bytes, readJson, ref, setupVault, text } from './_helpers.js';

async function warmVault() {
  const t = setupVault();
  await t.vault.load();
  const meta = await t.vault.createSecret({ name: 'HOT', value: bytes('hot'), scope: { kind: 'global' } });
  const spy = countingFs(t.mem.fs);
  const vault = t.make({ fs: spy.fs });
  await vault.load();
  await vault.secretsNamed(['HOT']);
  await vault.resolve(ref(meta.secretId));
  await vault.flush();
  spy.reset();
  return { ...t, spy, vault, id: meta.secretId };
}

test('a warm resolve: stat vault.json, read the record once, stat the key file, one audit append', async () => {
  const { spy, vault, id, clock } = await warmVault();
  clock.advance(1_000);
  assert.equal(text(await vault.resolve(ref(id))), 'hot');
  await vault.flush();
  assert.deepEqual(
    spy.calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{36}/, '<id>')}`),
    ['stat /vault/vault.json', 'readFile /vault/secrets/<id>.json', 'stat /vault/kek.key', `appendFile /vault/audit/${monthOf(clock.now())}.jsonl`],
    'vault.json and the record are read in parallel, then the key',
  );
  spy.reset();
  assert.equal((await vault.secretsNamed(['HOT'])).length, 1);
  assert.deepEqual(spy.calls.map((c) => c.method), ['stat', 'stat'], 'vault.json and secrets/ only');
});

test('lastUsedAtMs: written when unset or ≥60 s old, without fsync, and the caller does not wait for it', async () => {
  const { spy, vault, id, clock, mem } = await warmVault();
  const path = `${ROOT}/secrets/${id}.json`;
  const first = readJson(mem, path)['lastUsedAtMs'] as number;
  clock.advance(LAST_USED_REFRESH_MS - 1);
  await vault.resolve(ref(id));
  await vault.flush();
  assert.equal(spy.count('rename'), 0, 'a hot credential costs no record rewrite');
  assert.equal(readJson(mem, path)['lastUsedAtMs'], first);

  clock.advance(1);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const gated: FsPort = { ...spy.fs, rename: async (from, to) => (await gate, spy.fs.rename(from, to)) };
  const blocked = setupVault({ mem, clock }).make({ fs: gated });
  spy.reset();
  assert.equal(text(await blocked.resolve(ref(id))), 'hot', 'resolve returns while the record write is held');
  assert.equal((await blocked.getSecret(id)).lastUsedAtMs, clock.now(), 'the instance shows the use at once');
  release();
  await blocked.flush();
  assert.equal(readJson(mem, path)['lastUsedAtMs'], clock.now());
  assert.equal(spy.count('handle.sync'), 0, 'no fsync for advisory data');
  assert.equal(spy.count('rename'), 1);
});

test('a failing lastUsedAtMs write is ignored and the read still succeeds and is audited', async () => {
  const { mem, clock, id } = await warmVault();
  clock.advance(LAST_USED_REFRESH_MS);
  const failing: FsPort = { ...mem.fs, rename: () => Promise.reject(Object.assign(new Error('nope'), { code: 'EIO' })) };
  const vault = setupVault({ mem, clock }).make({ fs: failing });
  assert.equal(text(await vault.resolve(ref(id))), 'hot');
  await vault.flush();
  assert.equal((await vault.readAudit(1))[0]!.kind, 'secret.used');
});

test('reads do not queue behind a mutation in progress', async () => {
  const { mem, clock, id } = await warmVault();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const gated: FsPort = {
    ...mem.fs,
    rename: async (from, to) => {
      if (!held && to.endsWith('.json') && to.includes('/secrets/')) {
        held = true;
        await gate;
      }
      return mem.fs.rename(from, to);
    },
  };
  const vault = setupVault({ mem, clock }).make({ fs: gated });
  const other = vault.createSecret({ name: 'SLOW', value: bytes('s'), scope: { kind: 'workspace', workspaceId: 'w' } });
  while (!held) await new Promise((r) => setImmediate(r));
  assert.equal(text(await vault.resolve(ref(id))), 'hot');
  assert.equal((await vault.getSecret(id)).name, 'HOT');
  assert.equal((await vault.secretsNamed(['HOT'])).length, 1);
  assert.equal((await vault.status()).enabled, true);
  release();
  await other;
});

test('the cost of a warm resolve and name lookup does not grow with the number of secrets', async () => {
  const costs: number[] = [];
  for (const filler of [10, 10_000]) {
    const { spy, vault, id, mem, clock } = await warmVault();
    const template = readJson(mem, `${ROOT}/secrets/${id}.json`);
    const json: Record<string, string> = {};
    for (let i = 0; i < filler; i++) {
      const fid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      json[`${ROOT}/secrets/${fid}.json`] = JSON.stringify({ ...template, secretId: fid, name: `FILLER_${i}` });
    }
    mem.vol.fromJSON(json);
    const later = Date.now() / 1000 + 120; // memfs keeps ms mtimes: make the change visible within one tick
    mem.vol.utimesSync(`${ROOT}/secrets`, later, later);
    assert.equal((await vault.secretsNamed(['HOT', 'FILLER_3'])).length, 2, 'the other files are seen (one rescan)');
    clock.advance(1_000);
    spy.reset();
    await vault.secretsNamed(['HOT']);
    await vault.resolve(ref(id));
    await vault.flush();
    costs.push(spy.calls.length);
  }
  assert.deepEqual(costs, [6, 6]);
});

test('listSecrets: the cached byte-ordered list; callers cannot change the index through it', async () => {
  const { vault } = await warmVault();
  for (const name of ['\u{1F600}', '\uFFFD', 'b', 'B', 'a\u0301']) {
    await vault.createSecret({ name, value: bytes('x'), scope: { kind: 'workspace', workspaceId: 'w' } });
  }
  const list = await vault.listSecrets();
  assert.deepEqual(list.map((s) => s.name), ['B', 'HOT', 'a\u0301', 'b', '\uFFFD', '\u{1F600}']);
  assert.throws(() => {
    (list[0] as { name: string }).name = 'changed';
  }, TypeError);
  list.reverse();
  assert.equal((await vault.listSecrets())[0]!.name, 'B');
});

test('compareBytes agrees with UTF-8 byte order, surrogate pairs and lone surrogates included', () => {
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  const samples = ['', 'a', 'A', 'ab', '\u00e9', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1F600}', 'a\u{1F600}', 'a\uffff'];
  for (const a of samples) {
    for (const b of samples) {
      assert.equal(Math.sign(compareBytes(a, b)), Math.sign(Buffer.compare(utf8(a), utf8(b))), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
  assert.ok(compareBytes('\ud800', '\ud800\udc00') < 0 && compareBytes('\ud83d\ue000', '\ud83d\ude00') < 0, 'lone surrogates by code point');
});

function monthOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
