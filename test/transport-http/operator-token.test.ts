// `<run dir>/operator.token` (Decision 15): 0600 in a 0700 directory, random, never a proxy
// token's shape; kept across starts when valid, replaced when unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOperatorToken } from '../../src/transport-http/index.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-optoken-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('created on first use: 64 hex digits, file 0600, directory 0700', () =>
  withDir(async (dir) => {
    const runDir = join(dir, 'run');
    const first = await ensureOperatorToken(runDir);
    assert.equal(first.created, true);
    assert.match(first.token, /^[0-9a-f]{64}$/);
    assert.equal(first.path, join(runDir, 'operator.token'));
    assert.equal((await stat(first.path)).mode & 0o777, 0o600);
    assert.equal((await stat(runDir)).mode & 0o777, 0o700);
    assert.equal(await readFile(first.path, 'utf8'), `${first.token}\n`);
    const other = await ensureOperatorToken(join(dir, 'run2'));
    assert.notEqual(other.token, first.token);
  }));

test('an existing valid token is kept, so operator scripts keep working', () =>
  withDir(async (dir) => {
    const first = await ensureOperatorToken(dir);
    const again = await ensureOperatorToken(dir);
    assert.deepEqual(again, { ...first, created: false });
  }));

test('a token file others can read, a symlink or malformed content is replaced', () =>
  withDir(async (dir) => {
    const path = join(dir, 'operator.token');
    const first = await ensureOperatorToken(dir);
    await chmod(path, 0o644);
    const loose = await ensureOperatorToken(dir);
    assert.equal(loose.created, true);
    assert.notEqual(loose.token, first.token);
    assert.equal((await stat(path)).mode & 0o777, 0o600);

    await writeFile(path, 'avp_0123456789abcdef0123456789abcdef\n', { mode: 0o600 });
    assert.equal((await ensureOperatorToken(dir)).created, true);

    const elsewhere = join(dir, 'elsewhere');
    await writeFile(elsewhere, `${'c'.repeat(64)}\n`, { mode: 0o600 });
    await rm(path);
    await symlink(elsewhere, path);
    const replaced = await ensureOperatorToken(dir);
    assert.equal(replaced.created, true);
    assert.notEqual(replaced.token, 'c'.repeat(64));
    assert.equal(await readFile(elsewhere, 'utf8'), `${'c'.repeat(64)}\n`, 'the symlink target is untouched');
  }));

test('two starts racing on a missing token agree on one token (the one in the file)', () =>
  withDir(async (dir) => {
    const runDir = join(dir, 'run');
    const results = await Promise.all([ensureOperatorToken(runDir), ensureOperatorToken(runDir), ensureOperatorToken(runDir)]);
    const onDisk = (await readFile(join(runDir, 'operator.token'), 'utf8')).trim();
    assert.deepEqual(results.map((r) => r.token), [onDisk, onDisk, onDisk]);
    assert.equal(results.filter((r) => r.created).length, 1);
  }));

test('an existing run directory keeps its mode (the socket directory may be 0750 by AIVAULTD_SOCKET_DIR_MODE)', () =>
  withDir(async (dir) => {
    const runDir = join(dir, 'run');
    await mkdir(runDir, { mode: 0o750 });
    await chmod(runDir, 0o750);
    await ensureOperatorToken(runDir);
    assert.equal((await stat(runDir)).mode & 0o777, 0o750);
    assert.equal((await stat(join(runDir, 'operator.token'))).mode & 0o777, 0o600);
  }));
