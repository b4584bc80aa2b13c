// `GET /aivault/ws` end to end (transports.md §5): a real core over a real vault in a temporary
// HOME, the HTTP server on loopback, and a wss mock of api.openai.com (reached through
// AIVAULT_DEV_RESOLVE and the throwaway CA, as the undici upstream reaches it). Events are
// ordered by the messages themselves; nothing sleeps and nothing reaches the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { createNodeBrokerService, createNodeUpstreamSocketConnector, type NodeBrokerService } from '../../src/transport-inproc/index.js';
import { createHttpServer, type HttpServer } from '../../src/transport-http/index.js';
import { startHttpsUpstream, type HttpsUpstream } from '../fakes/https-upstream.js';
import { run } from '../cli/_helpers/fake-io.js';
import { call, OPERATOR } from './_harness.js';

const KEY = 'sk-ws-relay-1f2e3d4c5b';

let home: string;
let upstream: HttpsUpstream;
let broker: NodeBrokerService;
let server: HttpServer;
/** Upgrade requests the mock upstream received. */
const upgrades: IncomingMessage[] = [];
/** Close codes the mock upstream saw from the relay. */
const upstreamCloses: Array<{ code: number; reason: string }> = [];
const upstreamClosed: Array<() => void> = [];

before(async () => {
  const wss = new WebSocketServer({ noServer: true });
  upstream = await startHttpsUpstream({
    hostnames: ['api.openai.com'],
    upgrade: (request, socket, head) => {
      upgrades.push(request);
      if (request.url?.includes('refuse')) return void socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on('message', (data, isBinary) => {
          const text = Buffer.from(data as Buffer).toString('utf8');
          if (!isBinary && text === 'close-me') return ws.close(4001, 'bye');
          // Echo with the type kept: text gets a prefix, binary comes back reversed.
          ws.send(isBinary ? Buffer.from(data as Buffer).reverse() : `echo:${text}`, { binary: isBinary });
        });
        ws.on('close', (code, reason) => {
          upstreamCloses.push({ code, reason: reason.toString() });
          upstreamClosed.shift()?.();
        });
      });
    },
  });
  home = await mkdtemp(join(tmpdir(), 'aivault-ws-'));
  const env = { HOME: home, ...upstream.devEnv() };
  assert.equal((await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', '-'], { env, stdin: KEY })).code, 0);
  broker = await createNodeBrokerService({ env, devGate: true });
  server = await createHttpServer({
    proxy: broker.proxy,
    operatorToken: OPERATOR,
    port: 0,
    connectUpstream: createNodeUpstreamSocketConnector({ env, devGate: true }),
    maxWebSocketMessageBytes: 64 * 1024,
  });
});

after(async () => {
  await server.close();
  await broker.close();
  await upstream.close();
  await rm(home, { recursive: true, force: true });
});

async function mint(capabilities: string[]): Promise<string> {
  const answer = await call(server, { method: 'POST', path: '/aivault/tokens/proxy', token: OPERATOR, body: JSON.stringify({ capabilities, ttlMs: 60_000 }) });
  assert.equal(answer.status, 200, answer.text);
  return (answer.json() as { token: string }).token;
}

interface Message {
  text: string;
  isBinary: boolean;
  data: Buffer;
}

/** A caller's WebSocket to the relay, with its messages and its close as promises. */
async function connect(token: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${server.url.replace('http:', 'ws:')}/aivault/ws`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const queue: Message[] = [];
  const waiting: Array<(m: Message) => void> = [];
  ws.on('message', (data, isBinary) => {
    const buffer = Buffer.from(data as Buffer);
    const message = { text: buffer.toString('utf8'), isBinary, data: buffer };
    const next = waiting.shift();
    if (next) next(message);
    else queue.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const next = () => new Promise<Message>((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiting.push(resolve)));
  return { ws, next, closed };
}

test('relays text and binary both ways with the broker auth upstream, never the proxy token or caller headers', async () => {
  const token = await mint(['openai/models']);
  const before = upgrades.length;
  const client = await connect(token, { 'x-caller': 'should-not-pass' });
  client.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models?stream=1' }));
  client.ws.send('hello');
  assert.deepEqual(await client.next(), { text: 'echo:hello', isBinary: false, data: Buffer.from('echo:hello') });
  client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  const binary = await client.next();
  assert.equal(binary.isBinary, true);
  assert.deepEqual([...binary.data], [3, 2, 1]);

  const request = upgrades[before]!;
  assert.equal(request.url, '/v1/models?stream=1');
  assert.equal(request.headers['authorization'], `Bearer ${KEY}`);
  assert.equal(request.headers['host'], 'api.openai.com');
  assert.equal(request.headers['x-caller'], undefined);
  assert.ok(!JSON.stringify(request.rawHeaders).includes(token), 'the proxy token reached the upstream');

  // The caller's close (code and reason) reaches the upstream.
  const seen = new Promise<void>((resolve) => upstreamClosed.push(resolve));
  client.ws.close(4002, 'done');
  await seen;
  assert.deepEqual(upstreamCloses.at(-1), { code: 4002, reason: 'done' });
  assert.equal((await client.closed).code, 4002);
});

test("the upstream's close (code and reason) reaches the caller", async () => {
  const client = await connect(await mint(['openai/models']));
  client.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models' }));
  client.ws.send('close-me');
  assert.deepEqual(await client.closed, { code: 4001, reason: 'bye' });
});

test('targetUrl is refused before the token is looked at (1008, no upstream call)', async () => {
  const before = upgrades.length;
  const client = await connect('avp_not_a_real_token');
  client.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models', targetUrl: 'wss://evil.example/' }));
  assert.deepEqual(JSON.parse((await client.next()).text), { error: 'policy_violation', message: 'targetUrl is not allowed' });
  assert.equal((await client.closed).code, 1008);
  assert.equal(upgrades.length, before);
});

test('a token not scoped to the capability, and a capability that does not allow GET, are refused with 1008', async () => {
  const before = upgrades.length;
  const postOnly = await mint(['openai/embeddings']);
  const unscoped = await connect(postOnly);
  unscoped.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models' }));
  assert.deepEqual(JSON.parse((await unscoped.next()).text), { error: 'policy_violation', message: 'token is not scoped to this capability' });
  assert.equal((await unscoped.closed).code, 1008);

  // openai/embeddings allows POST only.
  const post = await connect(postOnly);
  post.ws.send(JSON.stringify({ capability: 'openai/embeddings', path: '/v1/embeddings' }));
  assert.deepEqual(JSON.parse((await post.next()).text), { error: 'policy_violation', message: 'method not allowed by capability' });
  assert.equal((await post.closed).code, 1008);
  assert.equal(upgrades.length, before);
});

test('a connect frame that is not JSON is invalid_request (1008); a bogus token is refused', async () => {
  const client = await connect(await mint(['openai/models']));
  client.ws.send('{not json');
  assert.deepEqual(JSON.parse((await client.next()).text), { error: 'invalid_request', message: 'invalid connect frame JSON: frame is not valid JSON' });
  assert.equal((await client.closed).code, 1008);

  const forged = await connect('avp_forged');
  forged.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models' }));
  assert.equal((JSON.parse((await forged.next()).text) as { error: string }).error, 'token_invalid');
  assert.equal((await forged.closed).code, 1008);
});

test('an upstream that refuses the upgrade is upstream_error (1011), without its body or URL', async () => {
  const client = await connect(await mint(['openai/models']));
  client.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models/refuse' }));
  assert.deepEqual(JSON.parse((await client.next()).text), { error: 'upstream_error', message: 'upstream refused the WebSocket upgrade with HTTP 401' });
  assert.equal((await client.closed).code, 1011);
});

test('a message over the size cap closes the caller with 1009', async () => {
  const client = await connect(await mint(['openai/models']));
  client.ws.send(JSON.stringify({ capability: 'openai/models', path: '/v1/models' }));
  assert.equal((await (client.ws.send('x'), client.next())).text, 'echo:x');
  client.ws.send(Buffer.alloc(64 * 1024 + 1), { binary: true });
  assert.equal((await client.closed).code, 1009);
});

test('a plain GET /aivault/ws is 426; upgrades elsewhere are refused', async () => {
  const plain = await call(server, { path: '/aivault/ws', token: 'avp_x' });
  assert.equal(plain.status, 426);
  assert.equal(plain.headers['upgrade'], 'websocket');
  const elsewhere = new WebSocket(`${server.url.replace('http:', 'ws:')}/aivault/proxy`);
  elsewhere.on('error', () => {}); // terminated before it opened
  const status = await new Promise<number>((resolve) => elsewhere.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0))));
  elsewhere.terminate();
  assert.equal(status, 400);
});
