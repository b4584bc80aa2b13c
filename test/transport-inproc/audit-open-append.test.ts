// vault.md §12 over node's fs: the audit segment stays open between batches (`FsPort.openAppend`)
// and is reopened when another instance rotated or removed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from '../../src/core/vault/audit-log.js';
import { nodeFs } from '../../src/transport-inproc/node-fs.js';
import type { FsPort } from '../../src/core/ports.js';
import { createManualClock } from '../fakes/manual-clock.js';

const MAR_2026 = Date.UTC(2026, 2, 10);

function setup(fs: FsPort = nodeFs) {
  const root = mkdtempSync(join(tmpdir(), 'aivault-audit-'));
  const dir = join(root, 'audit');
  const clock = createManualClock(MAR_2026);
  const audit = createAuditLog({ fs, clock, env: {}, auditDir: dir });
  const text = (name: string): string => readFileSync(join(dir, name), 'utf8');
  const kinds = (name: string): string[] => text(name).trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
  return { root, dir, clock, audit, kinds, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** nodeFs counting opens for append and per-batch appendFile calls. */
function counting() {
  const counts = { openAppend: 0, appendFile: 0, closed: 0 };
  const fs: FsPort = {
    ...nodeFs,
    appendFile: (p, d) => (counts.appendFile++, nodeFs.appendFile(p, d)),
    openAppend: async (p) => {
      counts.openAppend++;
      const h = await nodeFs.openAppend!(p);
      return { ...h, close: () => (counts.closed++, h.close()) };
    },
  };
  return { fs, counts };
}

test('batches go through one kept-open handle; flush closes it and the next append reopens', async () => {
  const { fs, counts } = counting();
  const s = setup(fs);
  try {
    for (let i = 0; i < 5; i++) await s.audit.append({ tsMs: i, kind: `k${i}` });
    assert.deepEqual(counts, { openAppend: 1, appendFile: 0, closed: 0 });
    await s.audit.flush();
    assert.equal(counts.closed, 1);
    await s.audit.append({ tsMs: 9, kind: 'after' });
    await s.audit.flush();
    assert.deepEqual(counts, { openAppend: 2, appendFile: 0, closed: 2 });
    assert.deepEqual(s.kinds('2026-03.jsonl'), ['k0', 'k1', 'k2', 'k3', 'k4', 'after']);
  } finally {
    s.done();
  }
});

test('a segment rotated by another instance is reopened within a second (identity check by inode)', async () => {
  const s = setup();
  try {
    await s.audit.append({ tsMs: 1, kind: 'before' });
    renameSync(join(s.dir, '2026-03.jsonl'), join(s.dir, '2026-03.jsonl.1')); // the other instance rotates
    s.clock.advance(1000);
    await s.audit.append({ tsMs: 2, kind: 'after' });
    await s.audit.flush();
    assert.deepEqual(s.kinds('2026-03.jsonl.1'), ['before']);
    assert.deepEqual(s.kinds('2026-03.jsonl'), ['after']);
    // and both are read back newest first
    assert.deepEqual((await s.audit.read(10)).map((e) => e.kind), ['after', 'before']);
  } finally {
    s.done();
  }
});

test('a removed segment (or audit dir) is recreated on the next check', async () => {
  const s = setup();
  try {
    await s.audit.append({ tsMs: 1, kind: 'gone' });
    rmSync(s.dir, { recursive: true, force: true });
    s.clock.advance(1500);
    await s.audit.append({ tsMs: 2, kind: 'back' });
    await s.audit.flush();
    assert.deepEqual(readdirSync(s.dir), ['2026-03.jsonl']);
    assert.deepEqual(s.kinds('2026-03.jsonl'), ['back']);
  } finally {
    s.done();
  }
});

test('a month change closes the old segment and opens the new one', async () => {
  const { fs, counts } = counting();
  const s = setup(fs);
  try {
    await s.audit.append({ tsMs: 1, kind: 'march' });
    s.clock.advance(30 * 24 * 3600_000);
    await s.audit.append({ tsMs: 2, kind: 'april' });
    assert.deepEqual(counts, { openAppend: 2, appendFile: 0, closed: 1 });
    await s.audit.flush();
    assert.deepEqual(s.kinds('2026-03.jsonl'), ['march']);
    assert.deepEqual(s.kinds('2026-04.jsonl'), ['april']);
  } finally {
    s.done();
  }
});

test('own size rotation closes the handle first and keeps writing to the fresh base file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'aivault-audit-'));
  const dir = join(root, 'audit');
  const audit = createAuditLog({ fs: nodeFs, clock: createManualClock(MAR_2026), env: {}, auditDir: dir, rotateBytes: 60 });
  try {
    for (let i = 0; i < 4; i++) await audit.append({ tsMs: i, kind: `line-${i}` });
    await audit.flush();
    assert.deepEqual(readdirSync(dir).sort(), ['2026-03.jsonl', '2026-03.jsonl.1']);
    assert.deepEqual((await audit.read(10)).map((e) => e.kind), ['line-3', 'line-2', 'line-1', 'line-0']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
