// broker.json is parsed once per change: a stat-validated cache that still sees other writers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemFs } from '../../fakes/memfs-port.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { createBrokerStore } from '../../../src/core/registry/broker-store.js';
import type { StoredCredential } from '../../../src/core/registry/types.js';

const PATH = '/v/broker.json';
const REF = 'vault:secret:3f2504e0-4f89-41d3-9d0a-0305e82c3301';
let n = 0;
const ids = { pid: 42, uuid: () => `u${++n}` };
const credential = (id: string): StoredCredential => ({ id, provider: 'p', workspaceId: null, groupId: null, auth: 'basic', hosts: ['h.example'], secretRef: REF });
const file = (...credentials: StoredCredential[]) => ({ version: 1 as const, credentials, capabilities: [], policies: [] });

function setup() {
  const mem = createMemFs();
  const counting = countingFs(mem.fs);
  const store = createBrokerStore({ fs: counting.fs, path: PATH, ...ids });
  /** Another process's store over the same files. */
  const other = createBrokerStore({ fs: mem.fs, path: PATH, ...ids });
  return { mem, counting, store, other };
}

test('a warm load costs one stat and no read', async () => {
  const { counting, store, other } = setup();
  await other.save(file(credential('a')));
  await store.loadShared();
  counting.reset();
  const state = await store.loadShared();
  assert.deepEqual(state.credentials.map((c) => c.id), ['a']);
  assert.deepEqual(counting.calls, [{ method: 'stat', path: PATH }]);
});

test('another process saving broker.json is seen on the next load', async () => {
  const { store, other } = setup();
  await other.save(file(credential('a')));
  assert.deepEqual((await store.loadShared()).credentials.map((c) => c.id), ['a']);
  await other.save(file(credential('b')));
  assert.deepEqual((await store.loadShared()).credentials.map((c) => c.id), ['b']);
  assert.deepEqual((await store.load()).credentials.map((c) => c.id), ['b']);
});

test('an in-place edit (same inode, other size) is seen; a deleted file reads as empty', async () => {
  const { mem, store, other } = setup();
  await other.save(file(credential('a')));
  await store.loadShared();
  mem.vol.writeFileSync(PATH, JSON.stringify(file(credential('edited'))));
  assert.deepEqual((await store.loadShared()).credentials.map((c) => c.id), ['edited']);
  mem.vol.unlinkSync(PATH);
  assert.deepEqual((await store.loadShared()).credentials, []);
});

test("the store's own save invalidates its cache", async () => {
  const { store } = setup();
  await store.save(file(credential('a')));
  assert.deepEqual((await store.loadShared()).credentials.map((c) => c.id), ['a']);
  await store.save(file(credential('a'), credential('b')));
  assert.deepEqual((await store.loadShared()).credentials.map((c) => c.id), ['a', 'b']);
});

test('load() hands out a private copy; the shared state is frozen', async () => {
  const { store } = setup();
  await store.save(file(credential('a')));
  const mine = await store.load();
  mine.credentials.push(credential('local'));
  mine.credentials[0]!.hosts.push('x.example');
  const shared = await store.loadShared();
  assert.deepEqual(shared.credentials.map((c) => [c.id, c.hosts]), [['a', ['h.example']]]);
  assert.ok(Object.isFrozen(shared.credentials) && Object.isFrozen(shared.credentials[0]!.hosts));
  assert.throws(() => (shared.credentials as StoredCredential[]).push(credential('z')));
});

test('a malformed file fails every load until it is fixed (errors are not cached)', async () => {
  const { mem, store, other } = setup();
  await other.save(file(credential('a')));
  await store.loadShared();
  mem.vol.writeFileSync(PATH, '{not json');
  await assert.rejects(store.loadShared(), /malformed file \/v\/broker\.json: invalid JSON at line 1/);
  await assert.rejects(store.load(), /malformed file \/v\/broker\.json: invalid JSON at line 1/);
  await other.save(file(credential('fixed')));
  assert.deepEqual((await store.loadShared()).credentials.map((c) => c.id), ['fixed']);
});
