// vault.md §12 with Decisions 8/16: monthly files, 5 MiB rotation keeping 10, newest-first reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditLog, serialiseAuditEvent } from '../../../src/core/vault/audit-log.js';
import { createMemFs } from '../../fakes/memfs-port.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { files, setupVault } from './_helpers.js';

const DIR = '/v/audit';
const MAR_2026 = Date.UTC(2026, 2, 31, 23, 59);

function log(env: Record<string, string | undefined> = {}, rotateBytes?: number) {
  const mem = createMemFs();
  const clock = createManualClock(MAR_2026);
  const audit = createAuditLog({ fs: mem.fs, clock, env, auditDir: DIR, ...(rotateBytes === undefined ? {} : { rotateBytes }) });
  return { mem, clock, audit };
}

test('events are compact JSON lines in the UTC month file, absent and null keys omitted', async () => {
  const { mem, clock, audit } = log();
  await audit.append({ tsMs: 1, kind: 'secret.create', secretId: 's', scope: 'global', actor: 'operator' });
  clock.advance(60_000 * 2); // crosses into April (UTC)
  await audit.append({ tsMs: 2, kind: 'capability.invoked', capability: 'openai/chat', status: 200, outcome: 'ok', error: undefined, groupId: null as unknown as string });
  assert.deepEqual(files(mem, DIR), ['2026-03.jsonl', '2026-04.jsonl']);
  assert.equal(String(mem.vol.readFileSync(`${DIR}/2026-03.jsonl`)), '{"tsMs":1,"kind":"secret.create","secretId":"s","scope":"global","actor":"operator"}\n');
  assert.equal(String(mem.vol.readFileSync(`${DIR}/2026-04.jsonl`)), '{"tsMs":2,"kind":"capability.invoked","capability":"openai/chat","status":200,"outcome":"ok"}\n');
});

test('serialisation keeps the contract key order for capability.invoked events', () => {
  const line = serialiseAuditEvent({ transport: 'socket', kind: 'capability.invoked', tsMs: 5, method: 'GET', host: 'api.openai.com', path: '/v1/models', durationMs: 3 });
  assert.equal(line, '{"tsMs":5,"kind":"capability.invoked","host":"api.openai.com","method":"GET","path":"/v1/models","durationMs":3,"transport":"socket"}');
});

test('rotation at 5 MiB: base → .1, .n → .n+1, at most 10 segments', async () => {
  const { mem, audit } = log();
  mem.vol.mkdirSync(DIR, { recursive: true });
  mem.vol.writeFileSync(`${DIR}/2026-03.jsonl`, 'x'.repeat(5 * 1024 * 1024 - 10));
  for (let n = 1; n <= 10; n++) mem.vol.writeFileSync(`${DIR}/2026-03.jsonl.${n}`, `{"tsMs":${100 - n},"kind":"seg${n}"}\n`);
  await audit.append({ tsMs: 500, kind: 'tips.over' });
  assert.deepEqual(files(mem, DIR), ['2026-03.jsonl.1', ...[10, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `2026-03.jsonl.${n}`)].sort());
  assert.ok(String(mem.vol.readFileSync(`${DIR}/2026-03.jsonl.1`)).endsWith('{"tsMs":500,"kind":"tips.over"}\n'), 'the full segment moved to .1');
  assert.equal(String(mem.vol.readFileSync(`${DIR}/2026-03.jsonl.10`)), '{"tsMs":91,"kind":"seg9"}\n', 'old .10 dropped, .9 moved up');
  await audit.append({ tsMs: 501, kind: 'after' });
  assert.equal(String(mem.vol.readFileSync(`${DIR}/2026-03.jsonl`)), '{"tsMs":501,"kind":"after"}\n');
});

test('reading: newest first across files, beforeTsMs filter, limit, and the limit=0 quirk', async () => {
  const { mem, audit } = log();
  mem.vol.mkdirSync(DIR, { recursive: true });
  mem.vol.writeFileSync(`${DIR}/2026-02.jsonl`, '{"tsMs":1,"kind":"a"}\n{"tsMs":2,"kind":"b"}\n');
  mem.vol.writeFileSync(`${DIR}/2026-03.jsonl.1`, '{"tsMs":3,"kind":"c"}\nnot json\n\n');
  mem.vol.writeFileSync(`${DIR}/2026-03.jsonl`, '{"tsMs":4,"kind":"d"}\n{"tsMs":5,"kind":"e"}\n');
  mem.vol.mkdirSync(`${DIR}/2099-01.jsonl`); // directories are not files
  const kinds = async (limit: number, before?: number) => (await audit.read(limit, before)).map((e) => e.kind);
  assert.deepEqual(await kinds(10), ['e', 'd', 'c', 'b', 'a']);
  assert.deepEqual(await kinds(2), ['e', 'd']);
  assert.deepEqual(await kinds(10, 4), ['c', 'b', 'a']);
  assert.deepEqual(await kinds(0), ['e'], 'limit 0 still returns one event');
  assert.deepEqual(await createAuditLog({ fs: mem.fs, clock: createManualClock(), env: {}, auditDir: '/none' }).read(5), []);
});

test('disk logs disabled by AIVAULT_DISABLE_DISK_LOGS / MOLDABLE_DISABLE_DISK_LOGS or the runtime switch', async () => {
  for (const env of [{ AIVAULT_DISABLE_DISK_LOGS: ' ON ' }, { MOLDABLE_DISABLE_DISK_LOGS: 'yes' }, { AIVAULT_DISABLE_DISK_LOGS: 'TRUE' }]) {
    const { mem, audit } = log(env);
    await audit.append({ tsMs: 1, kind: 'x' });
    assert.equal(mem.vol.existsSync(DIR), false, JSON.stringify(env));
  }
  const { mem, audit } = log({ AIVAULT_DISABLE_DISK_LOGS: '0' });
  await audit.append({ tsMs: 1, kind: 'x' });
  assert.equal(mem.vol.existsSync(`${DIR}/2026-03.jsonl`), true);
  const off = setupVault({ disableAudit: true });
  await off.vault.load();
  assert.deepEqual(await off.vault.readAudit(5), []);
});

test('audit write failures never fail the operation; appendAudit fills tsMs', async () => {
  const t = setupVault();
  await t.vault.load();
  const broken = t.make({ fs: { ...t.mem.fs, appendFile: async () => { throw new Error('EROFS'); } } });
  const meta = await broken.createSecret({ name: 'A', value: new Uint8Array([1]), scope: { kind: 'global' } });
  assert.equal(meta.name, 'A');
  await t.vault.appendAudit({ kind: 'capability.invoked', capability: 'c', outcome: 'error', error: 'policy_violation' });
  const [event] = await t.vault.readAudit(1);
  assert.deepEqual(event, { tsMs: t.clock.now(), kind: 'capability.invoked', capability: 'c', outcome: 'error', error: 'policy_violation' });
});
