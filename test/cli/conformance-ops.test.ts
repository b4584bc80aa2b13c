// Operator-command conformance fixes found by checking the built CLI against cli.md §3-§6 and
// vault.md (each test failed before its fix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

async function tempVault(): Promise<{ dir: string; env: Record<string, string>; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-conf-'));
  return { dir, env: { AIVAULT_DIR: join(dir, 'v'), AIVAULTD_SOCKET: join(dir, 'none.sock') }, done: () => rm(dir, { recursive: true, force: true }) };
}

test('init --provider file --file-path stores the key path absolute (vault.md §4.1), resolved against the cwd', async () => {
  const v = await tempVault();
  try {
    const r = await run(['init', '--provider', 'file', '--file-path', 'keys/k.key'], { env: v.env, cwd: v.dir });
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(await readFile(join(v.dir, 'v', 'vault.json'), 'utf8'));
    assert.deepEqual(config.provider, { type: 'file', path: join(v.dir, 'keys', 'k.key') });
    // The vault keeps working from another directory, and naming the same file absolutely is no change.
    const same = await run(['init', '--provider', 'file', '--file-path', join(v.dir, 'keys', 'k.key')], { env: v.env, cwd: tmpdir() });
    assert.equal(same.code, 0, same.stderr);
    const create = await run(['secrets', 'create', '--name', 'X', '--value', 'v'], { env: v.env, cwd: tmpdir() });
    assert.equal(create.code, 0, create.stderr);
  } finally {
    await v.done();
  }
});

test('a malformed capabilities.json names the file and the position, never its content (Decision 14)', async () => {
  const v = await tempVault();
  try {
    assert.equal((await run(['status'], { env: v.env })).code, 0);
    const file = join(v.dir, 'v', 'capabilities.json');
    await writeFile(file, '{"version":1,\n "bindings": [tok-SECRETISH]}\n');
    const r = await run(['capability', 'bindings'], { env: v.env });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `malformed file ${file}: invalid JSON at line 2, column 16\n`);
    assert.ok(!r.stderr.includes('SECRETISH'));
  } finally {
    await v.done();
  }
});
