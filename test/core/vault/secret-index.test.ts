// Issue 3: resolving one credential never touches every secret; the metadata index is reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FsPort } from '../../../src/core/ports.js';
import { ROOT, bytes, readJson, ref, setupVault, text } from './_helpers.js';
import type { MemFs } from '../../fakes/memfs-port.js';

/** Counts fs calls by method; `secretReads` counts reads of record files. */
function counting(mem: MemFs) {
  const calls = { total: 0, secretReads: 0 };
  const fs = new Proxy(mem.fs, {
    get: (target, key, receiver) => {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.total += 1;
        if (key === 'readFile' && String(args[0]).startsWith(`${ROOT}/secrets/`)) calls.secretReads += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as FsPort;
  return { fs, calls, reset: () => Object.assign(calls, { total: 0, secretReads: 0 }) };
}

/** A vault holding one real secret plus `filler` extra record files written straight to disk. */
async function vaultWith(filler: number) {
  const t = setupVault();
  await t.vault.load();
  const meta = await t.vault.createSecret({ name: 'TARGET', value: bytes('target'), scope: { kind: 'global' } });
  const template = readJson(t.mem, `${ROOT}/secrets/${meta.secretId}.json`);
  const json: Record<string, string> = {};
  for (let i = 0; i < filler; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    json[`${ROOT}/secrets/${id}.json`] = JSON.stringify({ ...template, secretId: id, name: `FILLER_${i}` });
  }
  t.mem.vol.fromJSON(json);
  return { ...t, id: meta.secretId };
}

test('resolving one secret costs the same fs calls with 10,000 secrets as with 10', async () => {
  const costs: number[] = [];
  for (const filler of [9, 9_999]) {
    const { mem, id, make } = await vaultWith(filler);
    const spy = counting(mem);
    const vault = make({ fs: spy.fs });
    assert.equal(text(await vault.resolve(ref(id))), 'target');
    await vault.flush();
    assert.equal(spy.calls.secretReads, 2, 'the record itself, re-read once by the background lastUsedAtMs write');
    costs.push(spy.calls.total);
  }
  assert.ok(costs[1]! <= costs[0]! * 1.2, `costs ${costs.join(' vs ')}`);
});

test('listing and name lookups reuse the index; own writes (lastUsedAtMs, rotate) never force a rescan', async () => {
  const { mem, id, make } = await vaultWith(50);
  const spy = counting(mem);
  const vault = make({ fs: spy.fs });
  assert.equal((await vault.listSecrets()).length, 51);
  assert.equal(spy.calls.secretReads, 51, 'one full scan to build the index');
  spy.reset();
  await vault.listSecrets();
  assert.ok(await vault.findGlobalRefByName('FILLER_7'));
  await vault.resolve(ref(id));
  await vault.rotateSecret(id, bytes('next'));
  const created = await vault.createSecret({ name: 'NEW', value: bytes('n'), scope: { kind: 'global' } });
  const list = await vault.listSecrets();
  assert.ok(spy.calls.secretReads <= 4, `only the touched records were read (${spy.calls.secretReads})`);
  assert.equal(list.length, 52);
  const target = list.find((s) => s.secretId === id)!;
  assert.notEqual(target.lastUsedAtMs, null, 'the index reflects lastUsedAtMs in place');
  assert.equal(target.valueVersion, 2);
  assert.ok(list.some((s) => s.secretId === created.secretId));
});

test('a change by another process is picked up (directory mtime changed) and uniqueness sees it', async () => {
  const { mem, make } = await vaultWith(3);
  const first = make();
  assert.equal((await first.listSecrets()).length, 4);
  const second = make();
  const added = await second.createSecret({ name: 'FROM_OTHER', value: bytes('x'), scope: { kind: 'global' } });
  const later = Date.now() / 1000 + 120; // make the change visible even within one mtime tick
  mem.vol.utimesSync(`${ROOT}/secrets`, later, later);
  assert.ok((await first.listSecrets()).some((s) => s.secretId === added.secretId));
  await assert.rejects(first.createSecret({ name: 'FROM_OTHER', value: bytes('y'), scope: { kind: 'global' } }));
});
