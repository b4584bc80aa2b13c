// The autostart log beside the socket (docs/decisions.md): appended when it is ours, never through a
// symlink or into another user's file, since AIVAULTD_SOCKET may sit in a shared directory like /tmp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chown, lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDaemon } from '../../src/cli/invoke/spawn-daemon.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-log-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runChild(dir: string, logPath: string): Promise<void> {
  const script = join(dir, 'child.js');
  await writeFile(script, "process.stdout.write('daemon says hi\\n');");
  const child = await spawnDaemon({ daemonPath: script, args: [], env: {}, logPath, waitForExit: true });
  await child.exited;
}

test('the child output is appended to the log (0600)', async () => {
  await withDir(async (dir) => {
    const log = join(dir, 'run', 'aivaultd.log');
    await runChild(dir, log);
    await runChild(dir, log);
    assert.equal(await readFile(log, 'utf8'), 'daemon says hi\ndaemon says hi\n');
    assert.equal((await lstat(log)).mode & 0o777, 0o600);
  });
});

test('a symlink at the log path is not followed: the output is discarded', async () => {
  await withDir(async (dir) => {
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep');
    const log = join(dir, 'aivaultd.log');
    await symlink(victim, log);
    await runChild(dir, log);
    assert.equal(await readFile(victim, 'utf8'), 'keep');
    assert.ok((await lstat(log)).isSymbolicLink());
  });
});

test("another user's file at the log path is left alone", { skip: process.getuid?.() !== 0 ? 'needs root to chown' : false }, async () => {
  await withDir(async (dir) => {
    const log = join(dir, 'aivaultd.log');
    await writeFile(log, '');
    await chown(log, 12345, 12345);
    await runChild(dir, log);
    assert.equal(await readFile(log, 'utf8'), '');
  });
});
