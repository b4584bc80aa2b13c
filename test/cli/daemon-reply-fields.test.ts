// A daemon whose result value lacks fields: the CLI reports the contract's per-mode messages
// (raw and markdown need only `response.bodyB64`; `json` needs `planned`, then `response.status`),
// like the original, instead of a generic protocol error. cli.md §7.6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

/** A fake daemon answering every connection with `reply` once the request is read. */
async function fakeDaemon(reply: unknown): Promise<{ socket: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-reply-'));
  const socket = join(dir, 'd.sock');
  const server: Server = createServer((conn) => {
    conn.on('data', () => undefined);
    conn.on('end', () => conn.end(JSON.stringify(reply)));
  });
  await new Promise<void>((done) => server.listen(socket, done));
  return {
    socket,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function invokeAgainst(reply: unknown, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const daemon = await fakeDaemon(reply);
  try {
    return await run([command, 'openai/models', '--method', 'GET', '--path', '/v1/models'], { env: { AIVAULTD_SOCKET: daemon.socket, HOME: '/nonexistent' } });
  } finally {
    await daemon.close();
  }
}

const HI = Buffer.from('{"hi":1}').toString('base64');

test('raw invoke needs only response.bodyB64', async () => {
  const ran = await invokeAgainst({ ok: true, value: { response: { bodyB64: HI } } }, 'invoke');
  assert.equal(ran.stderr, '');
  assert.equal(ran.code, 0);
  assert.equal(ran.stdout, '{"hi":1}');
});

test('a value without response.bodyB64: "missing response.bodyB64 in invoke output" for invoke and markdown', async () => {
  for (const command of ['invoke', 'markdown']) {
    const ran = await invokeAgainst({ ok: true, value: {} }, command);
    assert.equal(ran.code, 1);
    assert.equal(ran.stderr, 'missing response.bodyB64 in invoke output\n');
  }
});

test('json checks planned, then response.status, then the body', async () => {
  let ran = await invokeAgainst({ ok: true, value: { response: { status: 200, bodyB64: HI } } }, 'json');
  assert.equal(ran.stderr, 'missing planned in invoke output\n');
  ran = await invokeAgainst({ ok: true, value: { planned: {}, response: { bodyB64: HI } } }, 'json');
  assert.equal(ran.stderr, 'missing response.status in invoke output\n');
  ran = await invokeAgainst({ ok: true, value: { planned: { x: 1 }, response: { status: 201 } } }, 'json');
  assert.equal(ran.stderr, 'missing response.bodyB64 in invoke output\n');
  ran = await invokeAgainst({ ok: true, value: { planned: { x: 1 }, response: { status: 201, bodyB64: HI } } }, 'json');
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(JSON.parse(ran.stdout), { planned: { x: 1 }, response: { status: 201, json: { hi: 1 } } });
});

test('bad base64 in bodyB64 is "invalid base64 bodyB64: …"', async () => {
  const ran = await invokeAgainst({ ok: true, value: { response: { bodyB64: 'a$Gk=' } } }, 'invoke');
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /^invalid base64 bodyB64: /);
});

test('a well-formed reply still prints the four planned keys only', async () => {
  const planned = { capability: 'openai/models', credential: 'openai', method: 'GET', url: 'https://api.openai.com/v1/models' };
  const ran = await invokeAgainst({ ok: true, value: { planned, response: { status: 200, headers: [], bodyUtf8: '{"hi":1}', bodyB64: HI } } }, 'json');
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(JSON.parse(ran.stdout), { planned, response: { status: 200, json: { hi: 1 } } });
});
