// A library caller's injected HOME decides where the vault lives, as the same variable does for the
// binary: runAivault must not fall back to the real account's ~/.aivault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

test('with only HOME injected, the vault is created under that HOME', async () => {
  const home = await mkdtemp(join(tmpdir(), 'aivault-home-'));
  try {
    const r = await run(['secrets', 'create', '--name', 'EXAMPLE_TOKEN', '--value', '-'], { env: { HOME: home, AIVAULTD_DISABLE: '1' }, stdin: 'not-a-real-value' });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(home, '.aivault/data/vault/vault.json')), 'vault under the injected HOME');
    const listed = await run(['secrets', 'list', '-v'], { env: { HOME: home, AIVAULTD_DISABLE: '1' } });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /EXAMPLE_TOKEN/);
    assert.ok(!listed.stdout.includes('not-a-real-value'));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
