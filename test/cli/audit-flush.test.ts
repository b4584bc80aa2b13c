// Calls do not wait for their audit lines; the in-process CLI still leaves them on disk when
// `runAivault` returns (it flushes the vaults it opened before returning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

async function auditLines(dir: string): Promise<Array<Record<string, unknown>>> {
  const auditDir = join(dir, 'audit');
  const names = await readdir(auditDir).catch(() => [] as string[]);
  const texts = await Promise.all(names.map((n) => readFile(join(auditDir, n), 'utf8')));
  return texts.join('').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the in-process CLI leaves the capability.invoked line on disk when it returns', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-auditflush-'));
  try {
    const env = { AIVAULT_DIR: dir, AIVAULTD_DISABLE: '1' };
    await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', 'sk-flush-secret'], { env });
    const r = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v2/other'], { env });
    assert.equal(r.stderr, 'PolicyViolation: path not allowed by capability\n');
    const invoked = (await auditLines(dir)).filter((e) => e['kind'] === 'capability.invoked');
    assert.equal(invoked.length, 1, 'the line is on disk as soon as runAivault returned');
    assert.equal(invoked[0]!['capability'], 'openai/models');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
