// `aivaultd --http` serves the WebSocket relay (the daemon wires the upstream connector with the
// same dev options as its undici upstream): a real daemon from runAivaultd over a temporary HOME,
// a wss mock of api.openai.com reached through AIVAULT_DEV_RESOLVE and the throwaway CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { runAivaultd } from '../../src/cli/run-aivaultd.js';
import { startHttpsUpstream } from '../fakes/https-upstream.js';
import { run } from '../cli/_helpers/fake-io.js';

const KEY = 'sk-ws-daemon-8a7b6c5d';

test('aivaultd --http relays a WebSocket with the vault key injected upstream', async () => {
  const wss = new WebSocketServer({ noServer: true });
  const auths: Array<string | undefined> = [];
  const upstream = await startHttpsUpstream({
    hostnames: ['api.openai.com'],
    upgrade: (request, socket, head) => {
      auths.push(request.headers['authorization']);
      wss.handleUpgrade(request, socket, head, (ws) => ws.on('message', (data) => ws.send(`echo:${String(data)}`)));
    },
  });
  const home = await mkdtemp(join(tmpdir(), 'aivault-ws-daemon-'));
  const env = { HOME: home, ...upstream.devEnv() };
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  stdout.resume();
  const stdin = new PassThrough();
  stdin.end();
  let daemon: Promise<number> | undefined;
  try {
    assert.equal((await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', '-'], { env, stdin: KEY })).code, 0);
    let text = '';
    const started = new Promise<string>((resolve) => stderr.on('data', (c: Buffer) => ((text += c.toString()), text.includes('\n') && resolve(text))));
    daemon = runAivaultd(['--http', '0'], { env, stdin, stdout, stderr });
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(await started)?.[0];
    assert.ok(base, text);
    const operator = (await readFile(join(home, '.aivault/run/operator.token'), 'utf8')).trim();
    const minted = await fetch(`${base}/aivault/tokens/proxy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}` },
      body: JSON.stringify({ capabilities: ['openai/models'], ttlMs: 60_000 }),
    });
    const { token } = (await minted.json()) as { token: string };

    const ws = new WebSocket(`${base.replace('http:', 'ws:')}/aivault/ws`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models' }));
    ws.send('ping');
    assert.equal(await reply, 'echo:ping');
    assert.deepEqual(auths, [`Bearer ${KEY}`]);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.close(1000);
    assert.equal(await closed, 1000);
  } finally {
    if (daemon !== undefined) {
      process.kill(process.pid, 'SIGTERM');
      assert.equal(await daemon, 0);
    }
    await upstream.close();
    await rm(home, { recursive: true, force: true });
  }
});
