// The service's warm path: vault.load() only when vault.json changed, broker.json by stat, no
// per-call listing of the vault, no rate-limit file for unlimited capabilities, and an fs cost
// per warm call that does not grow with the number of secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrokerService } from '../../src/core/create-broker-service.js';
import { createRateLimiter } from '../../src/core/broker/rate-limiter.js';
import { toResult } from '../../src/core/broker/to-result.js';
import { createVault } from '../../src/core/vault/create-vault.js';
import type { Vault } from '../../src/core/vault/types.js';
import { createBrokerStore } from '../../src/core/registry/broker-store.js';
import { builtinRegistry } from '../../src/core/registry/registry.js';
import { provisionForSecret } from '../../src/core/registry/provisioning.js';
import { createManualClock } from '../fakes/manual-clock.js';
import { createMemFs } from '../fakes/memfs-port.js';
import { countingFs } from '../fakes/counting-fs.js';
import { createMockUpstream } from '../fakes/mock-upstream-fn.js';
import { createManualTimer } from './broker/_harness.js';

const SECRET = 'sk-live-hot-path-0123456789';

async function setup(fillers = 0) {
  const clock = createManualClock();
  const mem = createMemFs();
  const counting = countingFs(mem.fs);
  const fs = counting.fs;
  let n = 0;
  const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const inner = createVault({ fs, crypto: globalThis.crypto, clock, env: {}, rootDir: '/v', home: '/home/u', pid: 7, sleep: async (ms) => clock.advance(ms) });
  await inner.load();
  const calls = { load: 0, listSecrets: 0 };
  const vault: Vault = {
    ...inner,
    load: () => {
      calls.load += 1;
      return inner.load();
    },
    listSecrets: () => {
      calls.listSecrets += 1;
      return inner.listSecrets();
    },
  };
  const registry = builtinRegistry();
  const brokerStore = createBrokerStore({ fs, path: vault.paths.brokerPath, pid: 7, uuid });
  for (let i = 0; i < fillers; i++) {
    await inner.createSecret({ name: `FILLER_${i}`, value: new TextEncoder().encode(`f${i}`), scope: { kind: 'global' } });
  }
  const secret = await inner.createSecret({ name: 'OPENAI_API_KEY', value: new TextEncoder().encode(SECRET), scope: { kind: 'global' } });
  await provisionForSecret({ vault: inner, registry, brokerStore, secret, command: 'create' });
  const mock = createMockUpstream(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"1"}' }));
  const service = createBrokerService({
    vault, registry, brokerStore, fs, crypto: globalThis.crypto, clock, timer: createManualTimer(), upstream: mock.upstream,
    rateLimiter: createRateLimiter({ fs, path: vault.paths.rateLimitsPath, clock, pid: 7, uuid }), cwd: '/',
  });
  calls.listSecrets = 0;
  return { service, vault, calls, counting, mem, mock, clock };
}

const chat = {
  stream: false,
  envelope: { capability: 'openai/chat-completions', request: { method: 'POST', path: '/v1/chat/completions', body: '{"model":"x"}' } },
};
const ctx = { clientIp: '127.0.0.1', transport: 'inproc' as const };
const call = async (service: Awaited<ReturnType<typeof setup>>['service']) => toResult(await service.handle(chat, ctx));

test('vault.load() runs at the first call only; warm calls never list the vault', async () => {
  const { service, calls, counting, vault, mock } = await setup();
  await call(service);
  assert.equal(calls.load, 1);
  counting.reset();
  for (let i = 0; i < 3; i++) await call(service);
  assert.equal(calls.load, 1);
  assert.equal(calls.listSecrets, 0);
  assert.equal(mock.header(3, 'authorization'), `Bearer ${SECRET}`);
  assert.equal(counting.count('stat', vault.paths.configPath) >= 3, true);
  assert.equal(counting.count('readFile', vault.paths.brokerPath), 0, 'broker.json is parsed once');
  assert.equal(counting.count('stat', vault.paths.brokerPath), 3, 'and validated by one stat per call');
  assert.equal(counting.calls.filter((c) => c.path.startsWith(vault.paths.rateLimitsPath)).length, 0, 'no rate limit: no file');
});

test('another process rewriting vault.json makes the next call run vault.load() again, once', async () => {
  const { service, calls, mem, vault } = await setup();
  await call(service);
  const text = mem.vol.readFileSync(vault.paths.configPath, 'utf8') as string;
  mem.vol.writeFileSync(`${vault.paths.configPath}.other`, text);
  mem.vol.renameSync(`${vault.paths.configPath}.other`, vault.paths.configPath);
  await call(service);
  assert.equal(calls.load, 2);
  await call(service);
  assert.equal(calls.load, 2);
});

test('a deleted vault.json is re-initialised by the next call (auto-init still applies)', async () => {
  const { service, calls, mem, vault } = await setup();
  await call(service);
  mem.vol.unlinkSync(vault.paths.configPath);
  await call(service);
  assert.equal(calls.load, 2);
  assert.ok(mem.vol.existsSync(vault.paths.configPath), 'load() auto-initialised the vault again');
});

test('concurrent first calls share one vault.load()', async () => {
  const { service, calls } = await setup();
  await Promise.all([call(service), call(service), call(service)]);
  assert.equal(calls.load, 1);
});

test('a failed vault.load() fails the call and is retried by the next one', async () => {
  const { service, vault, mock } = await setup();
  const original = vault.load;
  let attempts = 0;
  vault.load = async () => {
    attempts += 1;
    if (attempts === 1) throw new Error('disk on fire');
    return original();
  };
  await assert.rejects(call(service), /disk on fire/);
  assert.equal(mock.requests.length, 0);
  await call(service);
  assert.equal(attempts, 2);
  await call(service);
  assert.equal(attempts, 2);
});

test('the fs cost of a warm call does not grow with the number of secrets', async () => {
  const cost = async (fillers: number) => {
    const { service, counting } = await setup(fillers);
    await call(service);
    await call(service);
    counting.reset();
    await call(service);
    return counting.calls.map((c) => c.method).sort();
  };
  const small = await cost(2);
  const large = await cost(150);
  assert.deepEqual(large, small);
});
