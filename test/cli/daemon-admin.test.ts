// `unlock`, `lock` (Decisions 4, 18) and `restart` (daemon.md §7, cli.md §11) against real sockets
// in temp dirs: a stand-in daemon for the key ops, and a stand-in `aivaultd.js` next to a fake
// `aivault` script for restart (it serves one health probe, records its argv, then exits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { runAivaultd } from '../../src/cli/run-aivaultd.js';
import { run } from './_helpers/fake-io.js';
import { startRawDaemon } from './_helpers/raw-daemon.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-admin-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const PASS = 'correct horse';

test('unlock hands a 32-byte key to the daemon and prints its lock state; lock asks it to forget', async () => {
  await withDir(async (dir) => {
    const vault = join(dir, 'vault');
    assert.equal((await run(['init', '--provider', 'passphrase'], { env: { AIVAULT_DIR: vault, AIVAULT_PASSPHRASE: PASS } })).code, 0);
    const sock = join(dir, 'd.sock');
    const daemon = await startRawDaemon(sock, (req) => JSON.stringify({ ok: true, value: { locked: req['op'] === 'lock' } }));
    try {
      const env = { AIVAULT_DIR: vault, AIVAULTD_SOCKET: sock };
      const wrong = await run(['unlock', '--passphrase', 'nope'], { env });
      assert.deepEqual([wrong.code, wrong.stderr], [1, 'vault provider misconfigured: invalid passphrase\n']);
      assert.equal(daemon.requests.length, 0, 'a wrong passphrase never reaches the daemon');

      const unlocked = await run(['unlock'], { env: { ...env, AIVAULT_PASSPHRASE: PASS } });
      assert.equal(unlocked.code, 0, unlocked.stderr);
      assert.equal(JSON.parse(unlocked.stdout).locked, false);
      const sent = JSON.parse(daemon.requests[0]!);
      assert.equal(sent.op, 'unlock');
      assert.equal(Buffer.from(sent.key, 'base64').length, 32);
      assert.ok(!unlocked.stdout.includes(sent.key) && !unlocked.stderr.includes(sent.key), 'the key is never printed');

      const locked = await run(['lock'], { env });
      assert.equal(locked.code, 0, locked.stderr);
      assert.equal(JSON.parse(locked.stdout).locked, true);
      assert.deepEqual(JSON.parse(daemon.requests[1]!), { op: 'lock' });
    } finally {
      await daemon.close();
    }
  });
});

test('status on a passphrase vault reports the lock state of the daemon that answers (Decision 16)', async () => {
  await withDir(async (dir) => {
    const vault = join(dir, 'vault');
    assert.equal((await run(['init', '--provider', 'passphrase'], { env: { AIVAULT_DIR: vault, AIVAULT_PASSPHRASE: PASS } })).code, 0);
    const sock = join(dir, 'd.sock');
    const daemon = await startRawDaemon(sock, () => JSON.stringify({ ok: true, value: { locked: false } }));
    try {
      const r = await run(['status', '-v'], { env: { AIVAULT_DIR: vault, AIVAULTD_SOCKET: sock } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).status.locked, false, 'this process is locked; the daemon is not');
      assert.deepEqual(JSON.parse(daemon.requests[0]!), { op: 'status' });
    } finally {
      await daemon.close();
    }
  });
});

test('unlock with no daemon and AIVAULTD_AUTOSTART off starts nothing; lock without a daemon is local only', async () => {
  await withDir(async (dir) => {
    const vault = join(dir, 'vault');
    const env = { AIVAULT_DIR: vault, AIVAULT_PASSPHRASE: PASS };
    assert.equal((await run(['init', '--provider', 'passphrase'], { env })).code, 0);
    const sock = join(vault, 'run', 'aivaultd.sock');
    const r = await run(['unlock'], { env: { ...env, AIVAULTD_AUTOSTART: '0' }, scriptPath: join(dir, 'no-daemon-here', 'aivault') });
    assert.deepEqual([r.code, r.stderr], [1, `aivaultd not running at '${sock}' (autostart disabled)\n`]);
    const lock = await run(['lock'], { env });
    assert.equal(lock.code, 0, lock.stderr);
    assert.equal(JSON.parse(lock.stdout).locked, true);
  });
});

test('unlock on a file vault is a no-op that prints the status', async () => {
  await withDir(async (dir) => {
    const r = await run(['unlock'], { env: { AIVAULT_DIR: dir, AIVAULTD_SOCKET: join(dir, 'none.sock') } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.keys(JSON.parse(r.stdout)).sort(), ['enabled', 'kekId', 'locked', 'providerType']);
    assert.equal(JSON.parse(r.stdout).providerType, 'file');
  });
});

/** A stand-in `aivaultd.js`: records its argv, serves one connection with `reply`, then exits. */
const FAKE_DAEMON = `
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
fs.writeFileSync(process.env.FAKE_ARGV_LOG, JSON.stringify(args));
const sock = args[args.indexOf('--socket') + 1];
fs.mkdirSync(path.dirname(sock), { recursive: true });
setTimeout(() => process.exit(3), 10000);
const server = net.createServer((c) => {
  c.on('data', () => undefined);
  c.on('end', () => { c.end(process.env.FAKE_REPLY); server.close(() => process.exit(0)); });
});
server.listen(sock);
`;

function sleeper(): Promise<{ pid: number; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return new Promise((resolve) => child.once('spawn', () => resolve({ pid: child.pid!, exited })));
}

test('restart stops the pid beside the socket, clears the path, starts aivaultd --socket (not --once) and waits for health', async () => {
  await withDir(async (dir) => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'aivaultd.js'), FAKE_DAEMON);
    const sock = join(dir, 'd.sock');
    await writeFile(sock, 'leftover');
    const old = await sleeper();
    await writeFile(`${sock}.pid`, `${old.pid}\n`);
    const argvLog = join(dir, 'argv.json');
    const health = JSON.stringify({ ok: true, value: { ok: true, capability: '__aivault/health' } });
    const r = await run(['restart'], { env: { AIVAULTD_SOCKET: sock, FAKE_ARGV_LOG: argvLog, FAKE_REPLY: health }, scriptPath: join(bin, 'aivault') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await old.exited, 'SIGTERM', 'the old daemon got SIGTERM');
    assert.deepEqual(JSON.parse(r.stdout), { restarted: true, socket: sock, daemonPath: join(bin, 'aivaultd.js') });
    assert.ok(r.stdout.startsWith('{\n  "restarted": true'), 'pretty-printed');
    assert.deepEqual(JSON.parse(await readFile(argvLog, 'utf8')), ['--socket', sock]);
  });
});

test('restart: per-user socket under AIVAULT_DIR; a malformed health reply is a protocol error', async () => {
  await withDir(async (dir) => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'aivaultd.js'), FAKE_DAEMON);
    const argvLog = join(dir, 'argv.json');
    const env = { AIVAULT_DIR: join(dir, 'vault'), FAKE_ARGV_LOG: argvLog, FAKE_REPLY: 'garbage' };
    const r = await run(['restart'], { env, scriptPath: join(bin, 'aivault') });
    assert.deepEqual([r.code, r.stderr], [1, 'daemon protocol error after restart: unparsable response JSON\n']);
    assert.deepEqual(JSON.parse(await readFile(argvLog, 'utf8')), ['--socket', join(dir, 'vault', 'run', 'aivaultd.sock')]);
    assert.ok(!existsSync(join(dir, 'vault', 'vault.json')), 'restart is not an operator command: no vault is created');
  });
});

test('unlock with no daemon answering starts a long-running aivaultd (--socket, never --once) and hands it the key (Decision 18)', async () => {
  await withDir(async (dir) => {
    const vault = join(dir, 'vault');
    assert.equal((await run(['init', '--provider', 'passphrase'], { env: { AIVAULT_DIR: vault, AIVAULT_PASSPHRASE: PASS } })).code, 0);
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'aivaultd.js'), FAKE_DAEMON);
    const argvLog = join(dir, 'argv.json');
    const sock = join(dir, 'd.sock');
    const env = { AIVAULT_DIR: vault, AIVAULTD_SOCKET: sock, AIVAULT_PASSPHRASE: PASS, FAKE_ARGV_LOG: argvLog, FAKE_REPLY: JSON.stringify({ ok: true, value: { locked: false } }) };
    const r = await run(['unlock'], { env, scriptPath: join(bin, 'aivault') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).locked, false);
    assert.deepEqual(JSON.parse(await readFile(argvLog, 'utf8')), ['--socket', sock]);
  });
});

test('restart without aivaultd anywhere: "could not locate aivaultd (not found in PATH)"', async () => {
  await withDir(async (dir) => {
    const r = await run(['restart'], { env: { AIVAULTD_SOCKET: join(dir, 'd.sock'), PATH: dir }, scriptPath: join(dir, 'aivault') });
    assert.deepEqual([r.code, r.stderr], [1, 'could not locate aivaultd (not found in PATH)\n']);
  });
});

test('aivaultd usage errors point at aivaultd --help, numbers included', async () => {
  let err = '';
  const sink = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
  const code = await runAivaultd(['--unlock-ttl', 'soon'], { env: {}, stdin: new PassThrough(), stdout: sink, stderr: sink });
  assert.equal(code, 2);
  assert.equal(err, "error: invalid value 'soon' for '--unlock-ttl': expected a non-negative integer\n\nRun 'aivaultd --help' for usage.\n");
});

test('with AIVAULTD_DISABLE=1, unlock derives and verifies in this process and starts no daemon; lock stays local', async () => {
  await withDir(async (dir) => {
    const vault = join(dir, 'vault');
    const env = { AIVAULT_DIR: vault, AIVAULTD_DISABLE: '1' };
    assert.equal((await run(['init', '--provider', 'passphrase'], { env: { ...env, AIVAULT_PASSPHRASE: PASS } })).code, 0);
    const scriptPath = join(dir, 'no-daemon-here', 'aivault');
    const wrong = await run(['unlock', '--passphrase', 'nope'], { env, scriptPath });
    assert.deepEqual([wrong.code, wrong.stderr], [1, 'vault provider misconfigured: invalid passphrase\n']);
    const r = await run(['unlock', '--passphrase', PASS], { env, scriptPath });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).locked, false, 'unlocked for this process');
    const lock = await run(['lock'], { env, scriptPath });
    assert.equal(lock.code, 0, lock.stderr);
    assert.equal(JSON.parse(lock.stdout).locked, true);
    assert.equal(existsSync(join(vault, 'run', 'aivaultd.sock')), false, 'no daemon was started');
  });
});
