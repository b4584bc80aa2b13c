// The production upstream client against a real loopback HTTPS server with a throwaway CA.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { BrokerError, renderErrorText } from '../../src/core/index.js';
import { createUndiciUpstream, type UndiciUpstream } from '../../src/transport-inproc/upstream-undici.js';
import { startHttpsUpstream, type HttpsUpstream, type UpstreamReply } from '../fakes/https-upstream.js';
import { deferred } from '../contract/fake-service.js';

const HOST = 'api.example.test';
const gz = gzipSync(Buffer.from('{"compressed":true}'));
const gate = deferred();

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('undici upstream', () => {
  let server: HttpsUpstream;
  let upstream: UndiciUpstream;
  const resolveTo = () => new Map([[HOST, { ip: '127.0.0.1', port: server.port }]]);

  before(async () => {
    server = await startHttpsUpstream({
      hostnames: [HOST, 'rebind.example.test'],
      handler: async (req, res): Promise<UpstreamReply | void> => {
        if (req.path === '/gzip') return { status: 200, headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' }, body: gz };
        if (req.path === '/redirect') return { status: 302, headers: { location: 'https://elsewhere.example.test/' } };
        if (req.path === '/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: 1\n\n');
          await gate.promise;
          res.end('data: 2\n\n');
          return;
        }
        return { status: 200, headers: { 'set-cookie': ['a=1', 'b=2'] }, body: `echo ${req.method} ${req.path}` };
      },
    });
    upstream = createUndiciUpstream({ resolve: resolveTo(), extraCaPem: [server.caPem] });
  });
  after(async () => {
    await upstream.close();
    await server.close();
  });

  it('sends exactly the planned headers plus framing and accept, with the registry Host', async () => {
    const res = await upstream({ url: `https://${HOST}/v1/x?q=1`, method: 'POST', headers: [['authorization', 'Bearer t'], ['x-a', '1'], ['x-a', '2']], body: new TextEncoder().encode('hi') });
    assert.equal((await readAll(res.body)).toString(), 'echo POST /v1/x?q=1');
    const rec = server.requests.at(-1)!;
    const names = rec.rawHeaders.map(([n]) => n.toLowerCase());
    assert.deepEqual(names.filter((n) => !['host', 'content-length', 'connection'].includes(n)), ['authorization', 'x-a', 'x-a', 'accept']);
    assert.equal(rec.headers['host'], HOST, 'the Host stays the registry host while the dev resolve port is dialled');
    assert.equal(rec.servername, HOST);
    assert.equal(rec.bodyText, 'hi');
    assert.deepEqual(res.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2']);
  });

  it('sends a request that carries Expect without it (undici cannot do 100-continue) instead of failing', async () => {
    const res = await upstream({ url: `https://${HOST}/v1/e`, method: 'POST', headers: [['expect', '100-continue'], ['x-b', '1']], body: new TextEncoder().encode('hi') });
    assert.equal(res.status, 200);
    await readAll(res.body);
    const rec = server.requests.at(-1)!;
    assert.equal(rec.headers['expect'], undefined);
    assert.equal(rec.headers['x-b'], '1');
  });

  it('reuses the pooled connection for the same origin', async () => {
    for (let i = 0; i < 6; i++) await readAll((await upstream({ url: `https://${HOST}/k/${i}`, method: 'GET', headers: [], body: null })).body);
    // undici may open a second socket while the first is still finishing a response; reuse must still dominate.
    const ids = server.requests.slice(-6).map((r) => r.connectionId);
    assert.ok(new Set(ids).size <= 2, JSON.stringify(ids));
  });

  it('returns raw bytes without decompressing', async () => {
    const res = await upstream({ url: `https://${HOST}/gzip`, method: 'GET', headers: [], body: null });
    assert.deepEqual(await readAll(res.body), gz);
    assert.ok(res.headers.some(([n, v]) => n === 'content-encoding' && v === 'gzip'));
    assert.equal(server.requests.at(-1)!.headers['accept-encoding'], undefined);
    assert.equal(server.requests.at(-1)!.headers['user-agent'], undefined);
  });

  it('never follows redirects', async () => {
    const before = server.requests.length;
    const res = await upstream({ url: `https://${HOST}/redirect`, method: 'GET', headers: [], body: null });
    await readAll(res.body);
    assert.equal(res.status, 302);
    assert.ok(res.headers.some(([n, v]) => n === 'location' && v === 'https://elsewhere.example.test/'));
    assert.equal(server.requests.length, before + 1);
  });

  it('delivers the first streamed chunk before the upstream finishes', async () => {
    const res = await upstream({ url: `https://${HOST}/stream`, method: 'GET', headers: [], body: null });
    const it = res.body[Symbol.asyncIterator]();
    assert.equal(Buffer.from((await it.next()).value as Uint8Array).toString(), 'data: 1\n\n');
    gate.resolve();
    const rest: Uint8Array[] = [];
    for (let n = await it.next(); !n.done; n = await it.next()) rest.push(n.value);
    assert.equal(Buffer.concat(rest).toString(), 'data: 2\n\n');
  });

  it('refuses a name that resolves to a blocked address, unless the dev resolve names it', async () => {
    const rebinding = createUndiciUpstream({ extraCaPem: [server.caPem], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    const before = server.requests.length;
    try {
      await assert.rejects(rebinding({ url: `https://rebind.example.test:${server.port}/`, method: 'GET', headers: [], body: null }), (error: unknown) => {
        assert.ok(error instanceof BrokerError);
        assert.equal(renderErrorText(error), 'PolicyViolation: upstream host blocked by SSRF guard');
        return true;
      });
      await assert.rejects(rebinding({ url: `https://127.0.0.1:${server.port}/`, method: 'GET', headers: [], body: null }), /SSRF guard/);
      assert.equal(server.requests.length, before);
    } finally {
      await rebinding.close();
    }
    const named = createUndiciUpstream({ extraCaPem: [server.caPem], resolve: new Map([['rebind.example.test', { ip: '127.0.0.1', port: server.port }]]) });
    try {
      assert.equal((await named({ url: 'https://rebind.example.test/ok', method: 'GET', headers: [], body: null })).status, 200);
    } finally {
      await named.close();
    }
  });

  it('does not trust the test CA unless it is added', async () => {
    const plain = createUndiciUpstream({ resolve: resolveTo() });
    try {
      await assert.rejects(plain({ url: `https://${HOST}/`, method: 'GET', headers: [], body: null }), (error: unknown) => {
        assert.ok(error instanceof BrokerError);
        assert.equal(error.code, 'upstream_error');
        assert.ok(!error.message.includes(HOST + '/'), 'no URL in the message');
        return true;
      });
    } finally {
      await plain.close();
    }
  });

  it('presents the mTLS client certificate on a pool of its own', async () => {
    const identity = await server.issueClientCertificate('aivault-client');
    const res = await upstream({
      url: `https://${HOST}/mtls`,
      method: 'GET',
      headers: [],
      body: null,
      clientCertificate: { certPem: identity.certPem, keyPem: identity.keyPem, poolKey: 'cred-1' },
    });
    await readAll(res.body);
    const withCert = server.requests.at(-1)!;
    assert.deepEqual(withCert.clientCertificate, { subjectCN: 'aivault-client', fingerprint256: identity.fingerprint256 });
    await readAll((await upstream({ url: `https://${HOST}/plain`, method: 'GET', headers: [], body: null })).body);
    const without = server.requests.at(-1)!;
    assert.equal(without.clientCertificate, null);
    assert.notEqual(without.connectionId, withCert.connectionId);
  });
});

describe('undici upstream: what it loads', () => {
  it('uses undici\'s own Agent, connector and request() without loading the undici index', async () => {
    const { execFileSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const module = fileURLToPath(new URL('../../src/transport-inproc/upstream-undici.ts', import.meta.url));
    const script = [
      `const { createUndiciUpstream } = await import(${JSON.stringify(module)});`,
      'const upstream = createUndiciUpstream();',
      'const { createRequire } = await import("node:module");',
      'const cache = Object.keys(createRequire(import.meta.url).cache);',
      'const loadedIndex = cache.some((p) => /[\\\\/]undici[\\\\/]index\\.js$/.test(p));',
      'const undici = createRequire(import.meta.url)("undici");',
      'const same = undici.Agent === createRequire(import.meta.url)("undici/lib/dispatcher/agent.js") && undici.buildConnector === createRequire(import.meta.url)("undici/lib/core/connect.js") && undici.Dispatcher.prototype.request === createRequire(import.meta.url)("undici/lib/api/api-request.js");',
      'await upstream.close();',
      'process.stdout.write(JSON.stringify({ loadedIndex, same }));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { loadedIndex: false, same: true });
  });
});
