// The assembled service: a real vault on memfs, the built-in registry, broker.json and the
// broker pipeline against an injected upstream. Proves the whole core path end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrokerService } from '../../src/core/create-broker-service.js';
import { createRateLimiter } from '../../src/core/broker/rate-limiter.js';
import { toResult } from '../../src/core/broker/to-result.js';
import { createVault } from '../../src/core/vault/create-vault.js';
import { createBrokerStore } from '../../src/core/registry/broker-store.js';
import { builtinRegistry } from '../../src/core/registry/registry.js';
import { provisionForSecret } from '../../src/core/registry/provisioning.js';
import { createManualClock } from '../fakes/manual-clock.js';
import { createMemFs } from '../fakes/memfs-port.js';
import { createMockUpstream } from '../fakes/mock-upstream-fn.js';
import { createManualTimer } from './broker/_harness.js';

const SECRET = 'sk-live-service-test-0123456789';
const FAST_KDF = { mCostKib: 64, tCost: 1, pCost: 1 };

async function setup(options: { unlockTtlMs?: number; passphrase?: boolean } = {}) {
  const clock = createManualClock();
  const timer = createManualTimer();
  const { fs, vol } = createMemFs();
  let n = 0;
  const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const vault = createVault({
    fs, crypto: globalThis.crypto, clock, env: {}, rootDir: '/v', home: '/home/u', pid: 7,
    sleep: async (ms) => clock.advance(ms), ...(options.passphrase ? { kdf: FAST_KDF } : {}),
  });
  await (options.passphrase ? vault.init({ type: 'passphrase', passphrase: 'pw' }) : vault.load());
  const registry = builtinRegistry();
  const brokerStore = createBrokerStore({ fs, path: vault.paths.brokerPath, pid: 7, uuid });
  const secret = await vault.createSecret({ name: 'OPENAI_API_KEY', value: new TextEncoder().encode(SECRET), scope: { kind: 'global' } });
  await provisionForSecret({ vault, registry, brokerStore, secret, command: 'create' });
  const mock = createMockUpstream(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"chatcmpl-1"}' }));
  const service = createBrokerService({
    vault, registry, brokerStore, fs, crypto: globalThis.crypto, clock, timer, upstream: mock.upstream,
    rateLimiter: createRateLimiter({ fs, path: vault.paths.rateLimitsPath, clock, pid: 7, uuid }),
    cwd: '/', ...(options.unlockTtlMs === undefined ? {} : { unlockTtlMs: options.unlockTtlMs }),
  });
  return { service, vault, mock, vol, timer, registry, brokerStore };
}

const chat = {
  stream: false,
  envelope: { capability: 'openai/chat-completions', request: { method: 'POST', path: '/v1/chat/completions', body: '{"model":"x"}' } },
};
const ctx = { clientIp: '127.0.0.1', transport: 'inproc' as const };

test('an invocation injects the key upstream, returns a sanitised result and audits the call', async () => {
  const { service, mock, vol } = await setup();
  const result = await toResult(await service.handle(chat, ctx));
  assert.equal(result.response.status, 200);
  assert.equal(result.response.bodyUtf8, '{"id":"chatcmpl-1"}');
  assert.equal(result.planned.url, 'https://api.openai.com/v1/chat/completions');
  assert.equal(mock.header(0, 'authorization'), `Bearer ${SECRET}`);
  assert.ok(!JSON.stringify(result).includes(SECRET));
  const audit = Object.entries(vol.toJSON()).filter(([path]) => path.includes('/audit/')).map(([, text]) => text).join('');
  const invoked = audit.split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((e) => e.kind === 'capability.invoked');
  assert.equal(invoked.length, 1);
  assert.equal(invoked[0].capability, 'openai/chat-completions');
  assert.equal(invoked[0].outcome, 'ok');
  assert.ok(!audit.includes(SECRET));
});

test('Plaid ids of the registry data run as plain HTTP capabilities with multi-header auth (Decision 18)', async () => {
  const { service, vault, mock, registry, brokerStore } = await setup();
  for (const [name, value] of [['PLAID_CLIENT_ID', 'plaid-client-1'], ['PLAID_SECRET', 'plaid-secret-2']] as const) {
    const secret = await vault.createSecret({ name, value: new TextEncoder().encode(value), scope: { kind: 'global' } });
    await provisionForSecret({ vault, registry, brokerStore, secret, command: 'create' });
  }
  const accounts = { stream: false, envelope: { capability: 'plaid/accounts', request: { method: 'POST', path: '/accounts/get', body: '{}' } } };
  const result = await toResult(await service.handle(accounts, ctx));
  assert.equal(result.planned.url, 'https://production.plaid.com/accounts/get');
  assert.deepEqual([mock.header(0, 'plaid-client-id'), mock.header(0, 'plaid-secret')], ['plaid-client-1', 'plaid-secret-2']);
  assert.ok(!JSON.stringify(result).includes('plaid-secret-2'));
});

test('a passphrase vault serves only while unlocked, and the unlock TTL drops the key', async () => {
  const { service, vault, mock, timer } = await setup({ passphrase: true, unlockTtlMs: 5_000 });
  assert.deepEqual(await service.status(), { locked: false }, 'init leaves the creating process unlocked');
  await service.lock();
  assert.deepEqual(await service.status(), { locked: true });
  await assert.rejects(service.handle(chat, ctx), /vault locked/);
  assert.equal(mock.requests.length, 0);

  const key = await vault.deriveKey('pw');
  let armed = 0;
  const after = timer.after.bind(timer);
  timer.after = (ms, fn) => (ms === 5_000 && armed++, after(ms, fn)); // the TTL timer, not the call timeout
  assert.deepEqual(await service.unlock(key), { locked: false });
  assert.equal(armed, 1, 'unlock arms the TTL');
  await toResult(await service.handle(chat, ctx));
  assert.equal(mock.requests.length, 1);
  assert.equal(armed, 2, 'the TTL counts from the last use of the key (Decision 16)');
  assert.deepEqual(timer.pending(), [5_000], 'one TTL timer, re-armed on each use');
  timer.fireAll();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(await service.status(), { locked: true });
});

test('a wrong key is refused with the contract message and leaves the daemon locked', async () => {
  const { service } = await setup({ passphrase: true });
  await service.lock();
  await assert.rejects(service.unlock(new Uint8Array(32).fill(7)), /invalid passphrase/);
  assert.deepEqual(await service.status(), { locked: true });
});
