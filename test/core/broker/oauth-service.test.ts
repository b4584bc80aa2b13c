// broker.md §7.3 through the assembled service (real vault on memfs, broker.json, runtime state):
// an upstream 401 on a stored OAuth2 credential refreshes once, writes the token back to the vault,
// re-plans and retries with the written-back token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrokerService } from '../../../src/core/create-broker-service.js';
import { createRateLimiter } from '../../../src/core/broker/rate-limiter.js';
import { toResult } from '../../../src/core/broker/to-result.js';
import { createVault } from '../../../src/core/vault/create-vault.js';
import { createBrokerStore } from '../../../src/core/registry/broker-store.js';
import { builtinRegistry } from '../../../src/core/registry/registry.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { createMemFs } from '../../fakes/memfs-port.js';
import { createMockUpstream } from '../../fakes/mock-upstream-fn.js';
import { createManualTimer } from './_harness.js';

const TOKEN_URL = 'https://idp.acme.example/token';

test('stored OAuth2 credential: 401 → one forced refresh, vault write-back, re-plan, retry with the new token', async () => {
  const clock = createManualClock();
  const { fs } = createMemFs();
  let n = 0;
  const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const vault = createVault({ fs, crypto: globalThis.crypto, clock, env: {}, rootDir: '/v', home: '/home/u', pid: 7, sleep: async (ms) => clock.advance(ms) });
  await vault.load();
  const material = { clientId: 'cid', clientSecret: 'cs-1', refreshToken: 'rt-1', accessToken: 'at-old', accessTokenExpiresAtMs: clock.now() + 3_600_000 };
  const secret = await vault.createSecret({ name: 'ACME_OAUTH', value: new TextEncoder().encode(JSON.stringify(material)), scope: { kind: 'global' } });
  const brokerStore = createBrokerStore({ fs, path: vault.paths.brokerPath, pid: 7, uuid });
  const state = await brokerStore.load();
  state.credentials.push({
    id: 'acme', provider: 'acme', workspaceId: null, groupId: null,
    auth: { o_auth2: { grant_type: 'refresh_token', token_endpoint: TOKEN_URL, scopes: [] } },
    hosts: ['api.acme.example', 'idp.acme.example'], secretRef: `vault:secret:${secret.secretId}`,
  });
  state.capabilities.push({ id: 'acme/users', provider: 'acme', allow: { hosts: ['api.acme.example'], methods: ['GET'], pathPrefixes: ['/v2/users'] } });
  await brokerStore.save(state);
  let api = 0;
  const mock = createMockUpstream((req) => {
    if (req.url === TOKEN_URL) return { status: 200, body: JSON.stringify({ access_token: 'at-new', expires_in: 3600, refresh_token: 'rt-2' }) };
    return api++ === 0 ? { status: 401, body: 'expired' } : { status: 200, body: 'ok' };
  });
  const service = createBrokerService({
    vault, registry: builtinRegistry(), brokerStore, fs, crypto: globalThis.crypto, clock, timer: createManualTimer(), upstream: mock.upstream,
    rateLimiter: createRateLimiter({ fs, path: vault.paths.rateLimitsPath, clock, pid: 7, uuid }), cwd: '/',
  });
  const envelope = { capability: 'acme/users', request: { method: 'GET', path: '/v2/users' } };
  const result = await toResult(await service.handle({ envelope, stream: false }, { clientIp: '127.0.0.1', transport: 'inproc' }));
  assert.equal(result.response.status, 200);
  assert.equal(result.response.bodyUtf8, 'ok');
  assert.deepEqual(mock.requests.map((r) => [r.url, mock.header(mock.requests.indexOf(r), 'authorization')]), [
    ['https://api.acme.example/v2/users', 'Bearer at-old'],
    [TOKEN_URL, `Basic ${Buffer.from('cid:cs-1').toString('base64')}`],
    ['https://api.acme.example/v2/users', 'Bearer at-new'],
  ]);
  const stored = JSON.parse(new TextDecoder().decode(await vault.resolve(`vault:secret:${secret.secretId}`)));
  assert.deepEqual(stored, { clientId: 'cid', clientSecret: 'cs-1', refreshToken: 'rt-2', accessToken: 'at-new', accessTokenExpiresAtMs: clock.now() + 3_600_000 });
  await vault.flush();
  const kinds = (await vault.readAudit(50)).map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === 'secret.rotate').length, 1);
  assert.equal(kinds.filter((k) => k === 'capability.invoked').length, 1);
});
