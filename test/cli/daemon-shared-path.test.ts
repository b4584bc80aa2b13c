// security.md §9 item 3: a daemon listening on the shared socket path refuses dev overrides,
// whether it got there by `--shared` or by `--socket <the shared path>`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { runAivaultd } from '../../src/cli/run-aivaultd.js';

async function daemon(argv: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdout.resume();
  const stdin = new PassThrough();
  stdin.end();
  const running = runAivaultd(argv, { env, stdin, stdout, stderr });
  // Should the daemon wrongly start, end its --once run with one connection instead of hanging.
  let settled = false;
  void running.finally(() => (settled = true));
  const poke = (): void => {
    if (settled) return;
    const socket = connect(env['AIVAULTD_SHARED_SOCKET']!, () => socket.end('{}'));
    socket.on('error', () => setImmediate(poke));
    socket.resume();
  };
  poke();
  return { code: await running, stderr: err };
}

test('--socket naming the shared socket path refuses a dev variable like --shared does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivaultd-shared-'));
  try {
    const shared = join(dir, 'shared', 'aivaultd.sock');
    const env = { HOME: dir, AIVAULT_DIR: join(dir, 'vault'), AIVAULTD_SHARED_SOCKET: shared, AIVAULT_DEV_HTTP1_ONLY: '1' };
    for (const argv of [['--shared', '--once'], ['--socket', shared, '--once'], ['--socket', `${join(dir, 'shared')}/./aivaultd.sock`, '--once']]) {
      const ran = await daemon(argv, env);
      assert.equal(ran.code, 1, argv.join(' '));
      assert.equal(ran.stderr, 'AIVAULT_DEV_HTTP1_ONLY is not allowed for aivaultd --shared\n');
      assert.equal(existsSync(shared), false, 'refused before binding');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
