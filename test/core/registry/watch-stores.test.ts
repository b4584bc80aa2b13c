// broker.json and the rate windows on a real directory with a watching port: a warm read costs no
// stat; another process's write is seen once its watch event arrived (waited for, never slept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBrokerStore } from '../../../src/core/registry/broker-store.js';
import { createRateLimiter } from '../../../src/core/broker/rate-limiter.js';
import type { FsPort } from '../../../src/core/ports.js';
import { nodeFs } from '../../../src/transport-inproc/node-fs.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { createManualClock } from '../../fakes/manual-clock.js';

/** nodeFs whose watch events also wake `waitFor(name)` (the test hook). */
function hooked() {
  const names: Array<string | null> = [];
  const waiters = new Set<() => void>();
  const fs: FsPort = {
    ...nodeFs,
    watch: (path, onChange, onError) =>
      nodeFs.watch!(path, (name) => {
        onChange(name);
        names.push(name);
        for (const w of [...waiters]) w();
      }, onError),
  };
  const waitFor = (name: string, from: number) =>
    new Promise<void>((resolve) => {
      const alive = setInterval(() => undefined, 60_000);
      const check = () => {
        if (names.slice(from).some((n) => n === name || n === null)) {
          waiters.delete(check);
          clearInterval(alive);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });
  return { counting: countingFs(fs), waitFor, mark: () => names.length };
}

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

test('broker.json: warm reads cost nothing; another process saving it is seen after its event', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aivault-wstore-'));
  try {
    const path = join(dir, 'broker.json');
    const hook = hooked();
    const clock = createManualClock();
    const mine = createBrokerStore({ fs: hook.counting.fs, path, pid: 1, uuid, clock });
    const theirs = createBrokerStore({ fs: nodeFs, path, pid: 2, uuid });
    await theirs.save({ version: 1, credentials: [], capabilities: [], policies: [] });
    await mine.loadShared();
    await mine.loadShared();
    hook.counting.reset();
    await mine.loadShared();
    assert.deepEqual(hook.counting.calls, [], 'no stat, no read');
    const from = hook.mark();
    await theirs.save({ version: 1, credentials: [], capabilities: [], policies: [], invalid: { credentials: [{ bogus: true }], capabilities: [], policies: [] } });
    await hook.waitFor('broker.json', from);
    const seen = await mine.loadShared();
    assert.equal(seen.problems.length, 1, 'the other process\'s entry is seen');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rate windows: another process\'s count is seen after its event', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aivault-wrate-'));
  try {
    const path = join(dir, 'state', 'rate-limits.json');
    const hook = hooked();
    const clock = createManualClock();
    const mine = createRateLimiter({ fs: hook.counting.fs, path, clock, pid: 1, uuid });
    const theirs = createRateLimiter({ fs: nodeFs, path, clock, pid: 2, uuid });
    await mine.take('cap', 2);
    const from = hook.mark();
    await theirs.take('cap', 2);
    await hook.waitFor('rate-limits.json', from);
    await assert.rejects(mine.take('cap', 2), /capability rate limit exceeded/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
