// `aivaultd --http [host:]port [--allow-remote]` (Decision 15): strict flags (usage errors exit 2),
// the socket keeps serving while the HTTP transport is added, the operator token file, and both
// servers stopping together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runAivaultd, type DaemonOptions } from '../../src/cli/run-aivaultd.js';
import { serveDaemon } from '../../src/cli/daemon-main.js';
import { createClient, createSocketTransport } from '../../src/transport-socket/index.js';
import type { BrokerResponse, BrokerService } from '../../src/core/index.js';
import { fakeProxy } from '../transport-http/_harness.js';

function io(env: Record<string, string> = {}): { io: Parameters<typeof runAivaultd>[1]; stderr: () => string; firstLine: Promise<string> } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  let gotLine!: (line: string) => void;
  const firstLine = new Promise<string>((resolve) => (gotLine = resolve));
  stderr.on('data', (c: Buffer) => {
    text += c.toString();
    if (text.includes('\n')) gotLine(text.split('\n', 1)[0]!);
  });
  stdout.resume();
  const stdin = new PassThrough();
  stdin.end();
  return { io: { env, stdin, stdout, stderr }, stderr: () => text, firstLine };
}

test('flag errors are usage errors (exit 2) before anything starts', async () => {
  const cases: Array<[string[], string]> = [
    [['--allow-remote'], '--allow-remote requires --http'],
    [['--http', 'abc'], "invalid --http address 'abc': expected [HOST:]PORT (PORT 0-65535, an IPv6 host in brackets)"],
    [['--http', '70000'], "invalid --http address '70000'"],
    [['--http', 'example.com:80'], "invalid --http host 'example.com'"],
    [['--http', '0.0.0.0:8080'], '--http 0.0.0.0:8080 is not a loopback address; pass --allow-remote to listen on it'],
    [['--http', '0', '--once'], '--once cannot be combined with --http'],
  ];
  for (const [argv, message] of cases) {
    const run = io({ HOME: '/nonexistent-aivault-test' });
    assert.equal(await runAivaultd(argv, run.io), 2, argv.join(' '));
    assert.ok(run.stderr().startsWith(`error: ${message}`), run.stderr());
    assert.ok(run.stderr().endsWith("\n\nRun 'aivaultd --help' for usage.\n"));
  }
});

test('--help describes --http, --allow-remote and the operator token', async () => {
  const run = io();
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  assert.equal(await runAivaultd(['--help'], { ...run.io, stdout }), 0);
  assert.match(out, /--http <\[HOST:\]PORT>/);
  assert.match(out, /--allow-remote/);
  assert.match(out, /operator\.token \(mode 0600/);
});

function fakeService(): BrokerService {
  return {
    async handle(request): Promise<BrokerResponse> {
      const planned = { capability: request.envelope.capability, credential: 'fake', method: 'GET', url: 'https://api.fake.example/' };
      return { planned, status: 200, headers: [], body: (async function* () { yield new TextEncoder().encode('socket ok'); })() };
    },
    unlock: async () => ({ locked: false }),
    lock: async () => ({ locked: true }),
    status: async () => ({ locked: false }),
  };
}

test('--http serves beside the socket: operator token 0600 in the run dir, both stop on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivaultd-http-'));
  try {
    const runDir = join(dir, 'run');
    const options: DaemonOptions = {
      socketPath: join(runDir, 'aivaultd.sock'),
      shared: false,
      once: false,
      socketMode: undefined,
      dirMode: undefined,
      managedDirs: [runDir],
      unlockTtlMs: undefined,
      http: { host: '127.0.0.1', port: 0 },
      allowRemote: false,
      runDir,
    };
    const run = io();
    const proxy = fakeProxy();
    const serving = serveDaemon(options, run.io, { service: fakeService(), proxy });
    const line = await run.firstLine;
    const match = /^aivaultd: HTTP transport on (http:\/\/127\.0\.0\.1:\d+) \(operator token: (.+)\)$/.exec(line);
    assert.ok(match, line);
    const [, url, tokenPath] = match;
    assert.equal(tokenPath, join(runDir, 'operator.token'));
    assert.equal((await stat(tokenPath!)).mode & 0o777, 0o600);
    const token = (await readFile(tokenPath!, 'utf8')).trim();

    const minted = await fetch(`${url}/aivault/tokens/proxy`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{"capabilities":["a/b"],"ttlMs":1000}' });
    assert.equal(minted.status, 200);
    assert.deepEqual(proxy.calls[0]?.auth, { class: 'operator' });

    const client = createClient({ transport: createSocketTransport({ path: options.socketPath }) });
    const viaSocket = await client.invoke({ capability: 'a/b', request: { method: 'GET', path: '/' } });
    assert.equal(viaSocket.response.bodyUtf8, 'socket ok');
    await client.close();

    process.kill(process.pid, 'SIGTERM');
    assert.equal(await serving, 0);
    await assert.rejects(fetch(`${url}/aivault/proxy`, { method: 'POST' }), 'the HTTP listener is closed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a taken --http port stops the start-up with exit 1; the socket does not keep serving', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivaultd-http-'));
  const blocker = await import('node:net').then(({ createServer }) => createServer());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const port = (blocker.address() as { port: number }).port;
    const runDir = join(dir, 'run');
    const options: DaemonOptions = {
      socketPath: join(runDir, 'aivaultd.sock'),
      shared: false,
      once: false,
      socketMode: undefined,
      dirMode: undefined,
      managedDirs: [runDir],
      unlockTtlMs: undefined,
      http: { host: '127.0.0.1', port },
      allowRemote: false,
      runDir,
    };
    const run = io();
    await assert.rejects(serveDaemon(options, run.io, { service: fakeService(), proxy: fakeProxy() }), {
      code: 'daemon_error',
      message: `failed binding aivaultd HTTP listener 'http://127.0.0.1:${port}': Address in use (os error 98)`,
    });
    await assert.rejects(stat(options.socketPath), 'the socket was closed and removed');
  } finally {
    blocker.close();
    await rm(dir, { recursive: true, force: true });
  }
});
