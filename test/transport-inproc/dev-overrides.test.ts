// AIVAULT_DEV_* parsing and gating (security.md §9, Decisions 13 and 18), and createNodePorts end to end.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderErrorText, BrokerError } from '../../src/core/index.js';
import {
  assertNoDevOverrides,
  createNodePorts,
  parseDevResolve,
  resolveBrokerDevOptions,
  resolveUpstreamDevOptions,
} from '../../src/transport-inproc/index.js';
import { startHttpsUpstream } from '../fakes/https-upstream.js';

const textOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BrokerError);
    return renderErrorText(error);
  }
  return assert.fail('expected a throw');
};
const noFile = async () => {
  throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
};

describe('dev overrides', () => {
  it('parses AIVAULT_DEV_RESOLVE with the contract messages', () => {
    assert.deepEqual([...parseDevResolve(' API.openai.com=127.0.0.1:8443 , ,x.test=[::1]:9 ')], [
      ['api.openai.com', { ip: '127.0.0.1', port: 8443 }],
      ['x.test', { ip: '::1', port: 9 }],
    ]);
    assert.equal(textOf(() => parseDevResolve('nohost')), "invalid AIVAULT_DEV_RESOLVE entry 'nohost'; expected host=ip:port");
    assert.equal(textOf(() => parseDevResolve('=1.2.3.4:1')), 'invalid AIVAULT_DEV_RESOLVE entry with empty host');
    assert.equal(textOf(() => parseDevResolve('a=localhost:1')), "invalid socket address 'localhost:1' in AIVAULT_DEV_RESOLVE entry 'a=localhost:1'");
    assert.equal(textOf(() => parseDevResolve('a=1.2.3.4')), "invalid socket address '1.2.3.4' in AIVAULT_DEV_RESOLVE entry 'a=1.2.3.4'");
  });

  it('fails closed in release builds with the contract message', async () => {
    assert.equal(
      textOf(() => resolveBrokerDevOptions({ AIVAULT_DEV_ALLOW_REMOTE_CLIENTS: '1' }, false)),
      'AIVAULT_DEV_ALLOW_REMOTE_CLIENTS is disabled in release builds; unset it or use a debug build',
    );
    await assert.rejects(resolveUpstreamDevOptions({ AIVAULT_DEV_RESOLVE: 'a=1.2.3.4:5' }, false, noFile), {
      message: 'AIVAULT_DEV_RESOLVE is disabled in release builds; unset it or use a debug build',
    });
    // The two soft variables are silently ignored, and empty values count as unset.
    assert.deepEqual(resolveBrokerDevOptions({ AIVAULT_DEV_FORCE_DEFAULT_FILE_PROVIDER: '1', AIVAULT_DEV_ALLOW_HTTP_LOCAL: '' }, false).forceDefaultFileProvider, false);
  });

  it('maps the broker flags when the gate is open (truthy is exact)', () => {
    const options = resolveBrokerDevOptions({ AIVAULT_DEV_ALLOW_NON_DEFAULT_PORTS: 'yes', AIVAULT_DEV_ALLOW_HTTP_LOCAL: 'on', AIVAULT_DEV_ALLOW_REMOTE_CLIENTS: ' 1' }, true);
    assert.deepEqual([options.allowNonDefaultPorts, options.allowHttpLocal, options.allowRemoteClients], [true, false, false]);
  });

  it('refuses any dev variable for --shared, whatever the gate', () => {
    assert.doesNotThrow(() => assertNoDevOverrides({ AIVAULT_DEV_RESOLVE: '', AIVAULT_DEV_UNKNOWN: '1' }));
    assert.equal(
      textOf(() => assertNoDevOverrides({ AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT: 'http://127.0.0.1:1/token' })),
      'AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT is not allowed for aivaultd --shared',
    );
    assert.equal(textOf(() => assertNoDevOverrides({ AIVAULT_DEV_HTTP1_ONLY: '0' })), 'AIVAULT_DEV_HTTP1_ONLY is not allowed for aivaultd --shared');
  });

  it('reports unreadable and malformed CA files', async () => {
    await assert.rejects(resolveUpstreamDevOptions({ AIVAULT_DEV_CA_CERT_PATH: '/nope.pem' }, true, noFile), {
      message: "failed reading AIVAULT_DEV_CA_CERT_PATH '/nope.pem': ENOENT: no such file or directory",
    });
    await assert.rejects(resolveUpstreamDevOptions({ AIVAULT_DEV_CA_CERT_PATH: '/bad.pem' }, true, async () => new TextEncoder().encode('junk')), (error: unknown) =>
      String((error as Error).message).startsWith("invalid PEM certificate in AIVAULT_DEV_CA_CERT_PATH '/bad.pem': "),
    );
  });

  it('createNodePorts reaches the mock upstream through the dev env, and fails closed without the gate', async () => {
    const server = await startHttpsUpstream({ hostnames: ['api.openai.com'] });
    const ports = createNodePorts({ env: server.devEnv(), devGate: true });
    const release = createNodePorts({ env: server.devEnv(), devGate: false });
    try {
      const res = await ports.upstream({ url: 'https://api.openai.com/v1/models', method: 'GET', headers: [['authorization', 'Bearer sk-test']], body: null });
      for await (const _ of res.body);
      assert.equal(res.status, 200);
      assert.equal(server.requests[0]!.headers['authorization'], 'Bearer sk-test');
      assert.equal(server.requests[0]!.headers['host'], 'api.openai.com');
      await assert.rejects(release.upstream({ url: 'https://api.openai.com/', method: 'GET', headers: [], body: null }), /is disabled in release builds/);
      assert.equal(server.requests.length, 1);
      assert.equal(typeof ports.uuid(), 'string');
    } finally {
      await ports.close();
      await release.close();
      await server.close();
    }
  });
});
