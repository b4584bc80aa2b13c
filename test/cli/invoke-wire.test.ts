// What `aivault invoke|json|markdown` puts on the wire and how it renders what comes back, against a
// stand-in daemon on a real unix socket in a temp dir (daemon.md §5-§6, cli.md §7.2, §7.6-§7.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';
import { frame, okReply, startRawDaemon, type RawDaemon } from './_helpers/raw-daemon.js';

async function withDaemon(reply: (request: Record<string, unknown>) => string, fn: (d: RawDaemon, env: Record<string, string>, sock: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-wire-'));
  const sock = join(dir, 'd.sock');
  const daemon = await startRawDaemon(sock, reply);
  try {
    await fn(daemon, { AIVAULT_DIR: join(dir, 'vault'), AIVAULTD_SOCKET: sock }, sock);
  } finally {
    await daemon.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const MODELS = ['openai/models', '--method', 'GET', '--path', '/v1/models'];

test('the request carries every key, null for absent values, with the original mixed key casing', async () => {
  await withDaemon(() => okReply('{}'), async (d, env) => {
    const r = await run(['invoke', ...MODELS], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(d.requests.length, 1);
    assert.deepEqual(JSON.parse(d.requests[0]!), {
      op: 'execute_envelope',
      envelope: {
        capability: 'openai/models',
        credential: null,
        request: { method: 'GET', path: '/v1/models', headers: [], body: null, multipart: null, multipartFiles: [], bodyFilePath: null, url: null },
      },
      client_ip: '127.0.0.1',
      timeoutMs: null,
      workspace_id: null,
      group_id: null,
    });
  });
});

test('flags map onto the wire: both header forms, context, client ip, timeout, credential, body modes', async () => {
  await withDaemon(() => okReply('{}'), async (d, env) => {
    const flags = ['--header', 'X-Trace: a:b', '--header', 'x-c=d=e', '--header', 'x-t:\tv ', '--timeout-ms', '0', '--workspace-id', ' w ', '--group-id', 'g', '--client-ip', '::1', '--credential', ' mine '];
    assert.equal((await run(['invoke', ...MODELS, ...flags, '--body', ' raw '], { env })).code, 0);
    const first = JSON.parse(d.requests[0]!);
    assert.deepEqual(first.envelope.request.headers, [
      { name: 'X-Trace', value: 'a:b' },
      { name: 'x-c', value: 'd=e' },
      { name: 'x-t', value: 'v ' },
    ]);
    assert.equal(first.envelope.request.body, ' raw ', 'the body is sent verbatim');
    assert.equal(first.envelope.credential, 'mine');
    assert.deepEqual([first.timeoutMs, first.workspace_id, first.group_id, first.client_ip], [0, 'w', 'g', '::1']);

    const multipart = ['--multipart-field', 'a= 1', '--multipart-field', 'b=x=y', '--multipart-file', 'f=rel/p.bin'];
    assert.equal((await run(['invoke', ...MODELS, ...multipart], { env })).code, 0);
    const second = JSON.parse(d.requests[1]!).envelope.request;
    assert.deepEqual([second.multipart, second.multipartFiles, second.body], [{ a: ' 1', b: 'x=y' }, [{ field: 'f', path: 'rel/p.bin' }], null]);

    assert.equal((await run(['invoke', ...MODELS, '--body-file-path', 'body.json'], { env })).code, 0);
    assert.equal(JSON.parse(d.requests[2]!).envelope.request.bodyFilePath, 'body.json', 'the path is the executing process’s to resolve');
  });
});

test('payload mode sends the bare request completed with nulls, under the command id', async () => {
  await withDaemon(() => okReply('{}'), async (d, env) => {
    const payload = JSON.stringify({ method: 'POST', path: '/v1/models', headers: [{ name: 'a', value: 'b' }] });
    assert.equal((await run(['invoke', 'openai/models', '--request', payload, '--credential', 'c1'], { env })).code, 0);
    assert.deepEqual(JSON.parse(d.requests[0]!).envelope, {
      capability: 'openai/models',
      credential: 'c1',
      request: { method: 'POST', path: '/v1/models', headers: [{ name: 'a', value: 'b' }], body: null, multipart: null, multipartFiles: [], bodyFilePath: null, url: null },
    });
  });
});

test('output modes: raw bytes without a newline, json without headers, markdown', async () => {
  await withDaemon(() => okReply('{"b_c":"x","a":[1,"y"]}'), async (_d, env) => {
    const raw = await run(['invoke', ...MODELS], { env });
    assert.equal(raw.stdout, '{"b_c":"x","a":[1,"y"]}');
    const json = await run(['json', ...MODELS], { env });
    assert.deepEqual(JSON.parse(json.stdout), {
      planned: { capability: 'openai/models', credential: 'openai', method: 'GET', url: 'https://api.openai.com/v1/models' },
      response: { status: 200, json: { b_c: 'x', a: [1, 'y'] } },
    });
    assert.ok(json.stdout.endsWith('}\n') && json.stdout.includes('\n  "planned": {'), 'pretty JSON, two spaces, one newline');
    assert.ok(!json.stdout.includes('x-upstream'), 'headers are never printed');
    const md = await run(['md', ...MODELS, '--namespace', 'data'], { env });
    assert.equal(md.stdout, '<begin data>\n# A\n\n  - 1\n  - y\n\n# B C\n\nx\n</end data>\n');
  });
  await withDaemon(() => okReply('plain text'), async (_d, env) => {
    const json = await run(['json', ...MODELS], { env });
    assert.equal(json.code, 1);
    assert.match(json.stderr, /^upstream response body is not valid JSON \(.+\); use `aivault invoke` for raw output\n$/);
    assert.equal((await run(['markdown', ...MODELS], { env })).stdout, 'plain text');
  });
});

test('daemon errors are printed verbatim (exit 1) and never retried; an empty one is "unknown aivaultd error"', async () => {
  await withDaemon(() => JSON.stringify({ ok: false, error: 'PolicyViolation: path not allowed by capability' }), async (d, env) => {
    const r = await run(['json', ...MODELS], { env });
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'PolicyViolation: path not allowed by capability\n']);
    assert.equal(d.requests.length, 1, 'a request that reached the daemon is not sent again');
  });
  await withDaemon(() => JSON.stringify({ ok: false }), async (_d, env) => {
    assert.equal((await run(['invoke', ...MODELS], { env })).stderr, 'unknown aivaultd error\n');
  });
  await withDaemon(() => 'not json', async (_d, env, sock) => {
    const r = await run(['invoke', ...MODELS], { env });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.startsWith(`invalid response from aivaultd at '${sock}': `), r.stderr);
  });
});

test('--stream: execute_envelope_stream, chunks written as they come, exit 0 on end', async () => {
  const body = (text: string) => ({ type: 'chunk', bodyB64: Buffer.from(text).toString('base64') });
  await withDaemon(() => frame(body('data: 1\n\n')) + frame(body('data: 2\n\n')) + frame({ type: 'end' }), async (d, env) => {
    const r = await run(['invoke', ...MODELS, '--stream'], { env });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'data: 1\n\ndata: 2\n\n', '']);
    assert.equal(JSON.parse(d.requests[0]!).op, 'execute_envelope_stream');
  });
  await withDaemon(() => frame(body('part')) + frame({ type: 'error', error: 'PolicyViolation: capability rate limit exceeded' }), async (_d, env) => {
    const r = await run(['invoke', ...MODELS, '--stream'], { env });
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, 'part', 'PolicyViolation: capability rate limit exceeded\n'], 'bytes already written stay written');
  });
  await withDaemon(() => frame(body('part')), async (_d, env, sock) => {
    const r = await run(['invoke', ...MODELS, '--stream'], { env });
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, 'part', `invalid streaming response from aivaultd at '${sock}': stream ended before daemon end frame\n`]);
  });
  await withDaemon(() => JSON.stringify({ ok: false, error: 'invalid request JSON: unknown op' }), async (_d, env) => {
    const r = await run(['invoke', ...MODELS, '--stream'], { env });
    assert.deepEqual([r.code, r.stderr], [1, 'invalid request JSON: unknown op\n'], 'a non-frame error reply to a stream request is the daemon’s error');
  });
});

test('AIVAULTD_SHARED_SOCKET lets an AIVAULT_DIR client fall through to the shared socket', async () => {
  await withDaemon(() => okReply('from shared'), async (d, env, sock) => {
    const { AIVAULT_DIR } = env;
    const r = await run(['invoke', ...MODELS], { env: { AIVAULT_DIR: AIVAULT_DIR!, AIVAULTD_SHARED_SOCKET: sock } });
    assert.deepEqual([r.code, r.stdout], [0, 'from shared']);
    assert.equal(d.requests.length, 1);
  });
});

test('a stored capability is unknown to the thin client: the local path defaults method and path from broker.json', async () => {
  await withDaemon(() => okReply('{}'), async (d, env) => {
    const created = await run(['capability', 'create', 'acme/users', '--provider', 'acme', '--method', 'GET', '--path', '/v2/users', '--host', 'api.acme.example'], { env });
    assert.equal(created.code, 0, created.stderr);
    for (const argv of [['invoke', 'acme/users'], ['capability', 'json', 'acme/users']]) {
      const r = await run(argv, { env });
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(d.requests.length, 2, 'the thin attempt failed before sending anything');
    for (const text of d.requests) assert.deepEqual(JSON.parse(text).envelope.request, { method: 'GET', path: '/v2/users', headers: [], body: null, multipart: null, multipartFiles: [], bodyFilePath: null, url: null });
  });
});
