// `aivaultd --http 0` end to end (Decision 15): runAivaultd over a real vault (a key created with
// the CLI), a loopback HTTPS mock of api.openai.com, and real HTTP calls: mint with the operator
// token from <AIVAULT_DIR>/run/operator.token, invoke by envelope and by passthrough, a streamed
// upstream body seen chunk by chunk, the refusals' statuses, and the key never in any answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { request as httpRequest } from 'node:http';
import { runAivaultd } from '../../src/cli/run-aivaultd.js';
import { startHttpsUpstream, type HttpsUpstream } from '../fakes/https-upstream.js';
import { run } from './_helpers/fake-io.js';

const KEY = 'sk-http-9c2e7b41d05a6f38';

let upstream: HttpsUpstream;
let dir: string;
let url: string;
let operator: string;
let daemon: Promise<number>;
const secondChunk = deferred();

before(async () => {
  upstream = await startHttpsUpstream({
    hostnames: ['api.openai.com'],
    handler: async (req, res) => {
      if (req.path === '/v1/responses') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        await secondChunk.promise; // released by the test once the caller holds the first chunk
        res.end('data: two\n\n');
        return;
      }
      return { status: 200, headers: { 'content-type': 'application/json', 'x-upstream': 'yes' }, body: JSON.stringify({ echo: req.bodyText, path: req.path }) };
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'aivaultd-http-e2e-'));
  const env = { HOME: dir, AIVAULT_DIR: join(dir, 'vault'), ...upstream.devEnv() };
  const created = await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', '-'], { env, stdin: KEY });
  assert.equal(created.code, 0, created.stderr);

  const stderr = new PassThrough();
  const stdout = new PassThrough();
  stdout.resume();
  const stdin = new PassThrough();
  stdin.end();
  let text = '';
  const started = new Promise<string>((resolve) =>
    stderr.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) resolve(text);
    }),
  );
  daemon = runAivaultd(['--http', '0'], { env, stdin, stdout, stderr });
  const line = await Promise.race([started, daemon.then((code) => `exited ${code}: ${text}`)]);
  const match = /^aivaultd: HTTP transport on (http:\/\/127\.0\.0\.1:\d+) \(operator token: (.+)\)\n$/.exec(line);
  assert.ok(match, line);
  url = match[1]!;
  assert.equal(match[2], join(dir, 'vault', 'run', 'operator.token'));
  assert.equal((await stat(match[2]!)).mode & 0o777, 0o600);
  operator = (await readFile(match[2]!, 'utf8')).trim();
});

after(async () => {
  process.kill(process.pid, 'SIGTERM');
  assert.equal(await daemon, 0);
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(path: string, token: string | undefined, body: unknown, method = 'POST'): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(!text.includes(KEY), 'the key never reaches a caller');
  return { status: response.status, text, headers: response.headers };
}

async function mint(capabilities: string[]): Promise<string> {
  const minted = await post('/aivault/tokens/proxy', operator, { capabilities, ttlMs: 60_000, context: { source: 'e2e' } });
  assert.equal(minted.status, 200, minted.text);
  const record = JSON.parse(minted.text) as { token: string; capabilities: string[]; credential: null; expiresAtMs: number; context: Record<string, string> };
  assert.match(record.token, /^avp_[0-9a-f]{32}$/);
  assert.deepEqual(record.capabilities, capabilities);
  assert.deepEqual(record.context, { source: 'e2e' });
  return record.token;
}

test('envelope call with a minted proxy token: the key is injected upstream, the reply relayed', async () => {
  const token = await mint(['openai/chat-completions']);
  const before = upstream.requests.length;
  const envelope = { capability: 'openai/chat-completions', request: { method: 'POST', path: '/v1/chat/completions', headers: [{ name: 'content-type', value: 'application/json' }], body: '{"model":"m"}' } };
  const answer = await post('/aivault/proxy', token, envelope);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(JSON.parse(answer.text), { echo: '{"model":"m"}', path: '/v1/chat/completions' });
  assert.equal(answer.headers.get('x-upstream'), 'yes');
  assert.equal(upstream.requests[before]?.headers['authorization'], `Bearer ${KEY}`);
});

test('passthrough: the body and query go upstream unchanged, the Authorization is the broker\'s', async () => {
  const token = await mint(['openai/chat-completions']);
  const before = upstream.requests.length;
  const answer = await post('/v/openai/v1/chat/completions?trace=a%3Ab', token, '{"raw":true}');
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(JSON.parse(answer.text), { echo: '{"raw":true}', path: '/v1/chat/completions?trace=a%3Ab' });
  assert.equal(upstream.requests[before]?.headers['authorization'], `Bearer ${KEY}`);
});

test('a streamed upstream body reaches the caller chunk by chunk', async () => {
  const token = await mint(['openai/responses']);
  const chunks: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${url}/aivault/proxy`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      assert.equal(res.statusCode, 200);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push(chunk);
        if (chunks.length === 1) secondChunk.resolve();
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ capability: 'openai/responses', request: { method: 'POST', path: '/v1/responses', body: '{}' } }));
  });
  assert.deepEqual(chunks, ['data: one\n\n', 'data: two\n\n']);
});

test('refusals carry Decision 15 statuses', async () => {
  const token = await mint(['openai/models']);
  const envelope = { capability: 'openai/chat-completions', request: { method: 'POST', path: '/v1/chat/completions', body: '{}' } };
  const cases: Array<[string, string | undefined, unknown, number, string]> = [
    ['/aivault/proxy', undefined, envelope, 401, 'token_invalid'],
    ['/aivault/proxy', `avp_${'0'.repeat(32)}`, envelope, 401, 'token_invalid'],
    ['/aivault/proxy', operator, envelope, 401, 'token_invalid'],
    ['/aivault/proxy', token, envelope, 403, 'policy_violation'],
    ['/aivault/proxy', token, { capability: 'openai/models', request: { method: 'GET', path: '/v1/models', url: 'https://evil.example/' } }, 403, 'policy_violation'],
    ['/aivault/proxy', token, { capability: 'openai/models', request: { method: 'GET', path: '/v1/models' }, extra: 1 }, 400, 'invalid_request'],
    ['/aivault/tokens/proxy', token, { capabilities: [], ttlMs: 1 }, 401, 'operator_auth_required'],
    ['/aivault/tokens/proxy', operator, { capabilities: [], ttlMs: 0 }, 400, 'invalid_request'],
    ['/v/nobody/v1/models', token, undefined, 404, 'credential_not_found'],
  ];
  for (const [path, bearer, body, status, code] of cases) {
    const answer = await post(path, bearer, body);
    assert.equal(answer.status, status, `${path}: ${answer.text}`);
    assert.equal((JSON.parse(answer.text) as { error: string }).error, code, answer.text);
  }
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
