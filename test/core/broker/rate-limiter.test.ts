// Rate windows that hold across invocations (Decisions 9, 16, 18): the state file's shape, modes,
// atomic writes, the mtime-driven cache, window reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from '../../../src/core/broker/rate-limiter.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { createMemFs, withFaultAt } from '../../fakes/memfs-port.js';

const PATH = '/vault/state/rate-limits.json';

function setup(start = 60_000 * 1000) {
  const memfs = createMemFs({ '/vault/.keep': '' });
  const clock = createManualClock(start);
  let n = 0;
  const make = () => createRateLimiter({ fs: memfs.fs, path: PATH, clock, pid: 7, uuid: () => `id${n++}` });
  return { memfs, clock, make };
}

const refused = (e: unknown) => (e as { code?: string; message?: string }).code === 'policy_violation' && (e as Error).message === 'capability rate limit exceeded';

test('the file has the contract shape, dir 0700, file 0600, no staging leftovers', async () => {
  const { memfs, make } = setup();
  await make().take('acme/users', 5);
  await make().take('acme/users', 5);
  assert.deepEqual(JSON.parse(memfs.vol.readFileSync(PATH, 'utf8') as string), { version: 1, windows: { 'acme/users': { window: 1000, count: 2 } } });
  assert.equal(memfs.vol.statSync('/vault/state').mode & 0o777, 0o700);
  assert.equal(memfs.vol.statSync(PATH).mode & 0o777, 0o600);
  assert.deepEqual(memfs.vol.readdirSync('/vault/state'), ['rate-limits.json']);
});

test('limits hold across limiter instances (separate invocations) and reset with the minute', async () => {
  const { clock, make } = setup();
  await make().take('c', 2);
  await make().take('c', 2);
  await assert.rejects(make().take('c', 2), refused);
  await make().take('other', 2);
  clock.advance(60_000);
  await make().take('c', 2);
});

test('null means no limit and writes nothing; 0 refuses every call', async () => {
  const { memfs, make } = setup();
  const limiter = make();
  for (let i = 0; i < 5; i++) await limiter.take('c', null);
  assert.equal(memfs.vol.existsSync(PATH), false);
  await assert.rejects(limiter.take('c', 0), refused);
});

test('a long-lived limiter re-reads the file when another process changed it (mtime)', async () => {
  const { memfs, clock, make } = setup();
  const daemon = make();
  await daemon.take('c', 3);
  // Another process writes count 3 for the same window.
  clock.advance(1);
  memfs.vol.writeFileSync(PATH, JSON.stringify({ version: 1, windows: { c: { window: 1000, count: 3 } } }));
  memfs.vol.utimesSync(PATH, new Date(clock.now() + 5000), new Date(clock.now() + 5000));
  await assert.rejects(daemon.take('c', 3), refused);
});

test('concurrent calls in one process never lose an update', async () => {
  const { memfs, make } = setup();
  const limiter = make();
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => limiter.take('c', 5)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
  assert.equal(JSON.parse(memfs.vol.readFileSync(PATH, 'utf8') as string).windows.c.count, 5);
});

test('a corrupt or foreign file counts as empty and is rewritten', async () => {
  for (const content of ['not json', '{"version":2,"windows":{}}', '{"version":1,"windows":{"c":{"window":"x","count":-1}}}', '{"version":1,"windows":{"__proto__":{"window":1000,"count":1}}}']) {
    const { memfs, make } = setup();
    memfs.vol.mkdirSync('/vault/state', { recursive: true });
    memfs.vol.writeFileSync(PATH, content);
    await make().take('c', 1);
    assert.equal(JSON.parse(memfs.vol.readFileSync(PATH, 'utf8') as string).windows.c.count, 1, content);
  }
});

test('a failed write leaves the previous file intact and surfaces the error', async () => {
  const { memfs, clock } = setup();
  await createRateLimiter({ fs: memfs.fs, path: PATH, clock, pid: 1, uuid: () => 'a' }).take('c', 9);
  const before = memfs.vol.readFileSync(PATH, 'utf8');
  const faulty = withFaultAt(memfs.fs, 4); // mkdir, chmod, open(staging), rename → fail at rename
  await assert.rejects(createRateLimiter({ fs: faulty.fs, path: PATH, clock, pid: 1, uuid: () => 'b' }).take('c', 9));
  assert.equal(memfs.vol.readFileSync(PATH, 'utf8'), before);
  assert.deepEqual(memfs.vol.readdirSync('/vault/state'), ['rate-limits.json']);
});

test('a warm limited call costs one stat, one small unsynced write and the stat of its result', async () => {
  const { memfs, clock } = setup();
  const counting = countingFs(memfs.fs);
  let syncs = 0;
  const fs = { ...counting.fs, open: async (path: string, flags: string, mode?: number) => {
    const handle = await counting.fs.open(path, flags, mode);
    return { ...handle, sync: async () => { syncs += 1; await handle.sync(); } };
  } };
  const limiter = createRateLimiter({ fs, path: PATH, clock, pid: 7, uuid: () => 'x' });
  await limiter.take('c', 9);
  counting.reset();
  await limiter.take('c', 9);
  const methods: string[] = counting.calls.map((c) => c.method);
  assert.deepEqual(methods.filter((m) => !m.startsWith('handle.')), ['stat', 'open', 'rename', 'stat']);
  assert.ok(!methods.includes('handle.sync'));
  assert.equal(syncs, 0);
  assert.equal(memfs.vol.statSync(PATH).mode & 0o777, 0o600);
});

test('a state dir removed under a running limiter is re-created (0700) by the next counted call', async () => {
  const { memfs, make } = setup();
  const limiter = make();
  await limiter.take('c', 9);
  memfs.vol.rmSync('/vault/state', { recursive: true });
  await limiter.take('c', 9);
  assert.equal(memfs.vol.statSync('/vault/state').mode & 0o777, 0o700);
  assert.deepEqual(JSON.parse(memfs.vol.readFileSync(PATH, 'utf8') as string).windows.c.count, 1);
});
