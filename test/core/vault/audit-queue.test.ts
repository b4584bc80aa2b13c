// Audit lines are queued in call order and appended in batches (one appendFile per batch);
// `flush` (and `read`) wait for the queue; a failed batch is dropped without failing anyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditLog } from '../../../src/core/vault/audit-log.js';
import type { AuditEvent } from '../../../src/core/vault/types.js';
import { countingFs } from '../../fakes/counting-fs.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { createMemFs } from '../../fakes/memfs-port.js';

const event = (n: number): AuditEvent => ({ tsMs: n, kind: 'secret.used', secretId: `s${n}` }) as AuditEvent;

test('appends queued while one is in flight go out together, in order; flush waits for all', async () => {
  const mem = createMemFs();
  const spy = countingFs(mem.fs);
  const log = createAuditLog({ fs: spy.fs, clock: createManualClock(), env: {}, auditDir: '/a' });
  for (let i = 1; i <= 5; i++) void log.append(event(i));
  await log.flush();
  const [file] = mem.vol.readdirSync('/a') as string[];
  const lines = String(mem.vol.readFileSync(`/a/${file}`)).trim().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { secretId: string }).secretId), ['s1', 's2', 's3', 's4', 's5']);
  assert.equal(spy.count('appendFile'), 2, 'the first line alone, the four queued behind it in one batch');
  assert.equal((await log.read(10)).length, 5);
});

test('read waits for queued lines; a failing append resolves its callers and the next batch still lands', async () => {
  const mem = createMemFs();
  let fail = true;
  const fs = { ...mem.fs, appendFile: async (p: string, d: Uint8Array | string) => {
    if (fail) {
      fail = false;
      throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    }
    return mem.fs.appendFile(p, d);
  } };
  const log = createAuditLog({ fs, clock: createManualClock(), env: {}, auditDir: '/a' });
  await log.append(event(1));
  void log.append(event(2));
  const read = await log.read(10);
  assert.deepEqual(read.map((e) => e.secretId), ['s2']);
});

/** A batching window fired by hand: `fire()` runs the armed timer, if any. */
function manualWindow() {
  let armed: (() => void) | null = null;
  let arms = 0;
  return {
    batching: {
      ms: 10,
      after: (_ms: number, fn: () => void) => {
        arms += 1;
        armed = fn;
        return () => {
          armed = null;
        };
      },
    },
    fire: () => {
      const fn = armed;
      armed = null;
      fn?.();
    },
    armed: () => armed !== null,
    arms: () => arms,
  };
}

test('with a batching window, lines wait for the window and go out in one append', async () => {
  const mem = createMemFs();
  const spy = countingFs(mem.fs);
  const window = manualWindow();
  const log = createAuditLog({ fs: spy.fs, clock: createManualClock(), env: {}, auditDir: '/a', batching: window.batching });
  const appended = [1, 2, 3].map((i) => log.append(event(i)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(spy.count('appendFile'), 0, 'nothing written before the window closes');
  assert.equal(window.arms(), 1, 'one window for the three lines');
  window.fire();
  await Promise.all(appended);
  assert.equal(spy.count('appendFile'), 1);
  assert.deepEqual((await log.read(10)).map((e) => e.secretId), ['s3', 's2', 's1']);
});

test('flush writes at once and cancels the window; lines queued later arm a new one', async () => {
  const mem = createMemFs();
  const spy = countingFs(mem.fs);
  const window = manualWindow();
  const log = createAuditLog({ fs: spy.fs, clock: createManualClock(), env: {}, auditDir: '/a', batching: window.batching });
  void log.append(event(1));
  void log.append(event(2));
  assert.equal(window.armed(), true);
  await log.flush();
  assert.equal(window.armed(), false, 'flush cancelled the window');
  assert.equal(spy.count('appendFile'), 1);
  const late = log.append(event(3));
  assert.equal(window.armed(), true);
  window.fire();
  await late;
  assert.deepEqual((await log.read(10)).map((e) => e.secretId), ['s3', 's2', 's1']);
});
