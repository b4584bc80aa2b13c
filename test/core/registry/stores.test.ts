// broker.json (vault.md §10) and capabilities.json (vault.md §9) stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemFs } from '../../fakes/memfs-port.js';
import { createBrokerStore, formatBrokerStateProblem } from '../../../src/core/registry/broker-store.js';
import {
  bindingScopeKey,
  createBindingsStore,
  removeBinding,
  resolveBinding,
  sortBindings,
  toBindingScope,
  upsertBinding,
} from '../../../src/core/registry/bindings-store.js';
import { isBrokerError } from '../../../src/core/broker-error.js';
import type { CapabilityBinding } from '../../../src/core/registry/types.js';

let n = 0;
const ids = { pid: 42, uuid: () => `u${++n}` };
const REF = 'vault:secret:3f2504e0-4f89-41d3-9d0a-0305e82c3301';

test('broker.json: missing file is empty; save uses the key order and omission rules, 0600 in a 0700 dir', async () => {
  const { fs, vol } = createMemFs();
  const store = createBrokerStore({ fs, path: '/v/broker.json', ...ids });
  assert.deepEqual((await store.load()).credentials, []);
  await store.save({
    version: 1,
    credentials: [
      { id: 'openai', provider: 'openai', workspaceId: null, groupId: null, auth: 'basic', hosts: ['api.openai.com'], capabilities: [], priority: 0, secretRef: REF },
      { secretRef: REF, id: 'alt', provider: 'p', workspaceId: 'w', groupId: null, auth: 'mtls', hosts: ['h.example'], capabilities: ['p/x'], priority: 3, upstreamPathPrefix: '/x', maxPolicyMode: 'write' },
    ],
    capabilities: [],
    policies: [{ capabilityId: 'p/x', policy: { rateLimitPerMinute: 5, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: [] } }],
  });
  const text = vol.readFileSync('/v/broker.json', 'utf8') as string;
  const file = JSON.parse(text);
  assert.deepEqual(Object.keys(file.credentials[0]), ['id', 'provider', 'workspaceId', 'groupId', 'auth', 'hosts', 'secretRef']);
  assert.deepEqual(Object.keys(file.credentials[1]), ['id', 'provider', 'workspaceId', 'groupId', 'auth', 'hosts', 'capabilities', 'priority', 'upstreamPathPrefix', 'secretRef', 'maxPolicyMode']);
  assert.deepEqual(Object.keys(file.policies[0].policy), ['rateLimitPerMinute', 'maxRequestBodyBytes', 'maxResponseBodyBytes', 'responseBodyBlocklist']);
  assert.ok(text.startsWith('{\n  "version": 1,'));
  assert.equal(Number(vol.statSync('/v/broker.json').mode) & 0o777, 0o600);
  assert.equal(Number(vol.statSync('/v').mode) & 0o777, 0o700);
  assert.deepEqual(vol.readdirSync('/v'), ['broker.json']);
  const again = await store.load();
  assert.equal(again.credentials[1]!.maxPolicyMode, 'write');
  assert.deepEqual(again.problems, []);
});

test('broker.json: a corrupt file is one line naming the file', async () => {
  const { fs } = createMemFs({ '/v/broker.json': '{"version": 1, "credentials": [' });
  const store = createBrokerStore({ fs, path: '/v/broker.json', ...ids });
  await assert.rejects(store.load(), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith('malformed file /v/broker.json: invalid JSON at line ') && !e.message.includes('\n'));
  const wrongVersion = createBrokerStore({ fs: createMemFs({ '/v/broker.json': '{"version": 2}' }).fs, path: '/v/broker.json', ...ids });
  await assert.rejects(wrongVersion.load(), /malformed file \/v\/broker.json: version/);
});

test('broker.json: one bad entry is skipped, reported, and preserved on save', async () => {
  const good = { id: 'good', provider: 'p', workspaceId: null, groupId: null, auth: 'basic', hosts: ['a.example'], secretRef: REF };
  const bad = { id: 'bad', provider: 'p', auth: { bearer: 'x' }, hosts: [], secretRef: REF };
  const { fs, vol } = createMemFs({
    '/v/broker.json': JSON.stringify({ version: 1, credentials: [bad, good], capabilities: [{ id: 'c', provider: 'p' }], policies: [] }),
  });
  const store = createBrokerStore({ fs, path: '/v/broker.json', ...ids });
  const state = await store.load();
  assert.deepEqual(state.credentials.map((c) => c.id), ['good']);
  assert.deepEqual(state.problems.map((p) => [p.section, p.index, p.id]), [['credentials', 0, 'bad'], ['capabilities', 0, 'c']]);
  assert.match(formatBrokerStateProblem(state.problems[0]!), /^broker.json credentials\[0\] 'bad' skipped: auth/);
  await store.save(state);
  const saved = JSON.parse(vol.readFileSync('/v/broker.json', 'utf8') as string);
  assert.deepEqual(saved.credentials.map((c: { id: string }) => c.id), ['good', 'bad']);
  assert.equal(saved.capabilities.length, 1);
});

const b = (capability: string, scope: CapabilityBinding['scope'], consumer: string | undefined, updatedAtMs: number): CapabilityBinding => ({
  capability,
  secretRef: `vault:secret:${capability}-${bindingScopeKey(scope)}-${consumer ?? ''}`,
  scope,
  ...(consumer ? { consumer } : {}),
  updatedAtMs,
});

test('bindings: upsert replaces by identity, remove is exact, list is sorted', () => {
  let list: CapabilityBinding[] = [];
  list = upsertBinding(list, { capability: ' c ', secretRef: REF, scope: { type: 'global' }, consumer: ' ' }, 1).bindings;
  list = upsertBinding(list, { capability: 'c', secretRef: 'vault:secret:other', scope: { type: 'global' } }, 2).bindings;
  assert.equal(list.length, 1);
  assert.deepEqual(list[0], { capability: 'c', secretRef: 'vault:secret:other', scope: { type: 'global' }, updatedAtMs: 2 });
  list = upsertBinding(list, { capability: 'a', secretRef: REF, scope: toBindingScope({ scope: 'workspace', workspaceId: ' w ' }), consumer: 'x' }, 3).bindings;
  list = upsertBinding(list, { capability: 'a', secretRef: REF, scope: toBindingScope({ scope: 'workspace', workspaceId: 'w' }) }, 4).bindings;
  assert.deepEqual(sortBindings(list).map((x) => [x.capability, x.consumer]), [['a', undefined], ['a', 'x'], ['c', undefined]]);
  assert.equal(removeBinding(list, { capability: 'a', scope: { type: 'workspace', workspace_id: 'w' }, consumer: 'y' }).removed, false);
  assert.equal(removeBinding(list, { capability: 'a', scope: { type: 'workspace', workspace_id: 'w' }, consumer: 'x' }).bindings.length, 2);
  assert.throws(() => toBindingScope({ scope: 'workspace' }), /workspace_id required for workspace scope/);
  assert.throws(() => toBindingScope({ scope: 'group', workspaceId: 'w' }), /workspace_id and group_id required for group scope/);
  assert.throws(() => upsertBinding([], { capability: ' ', secretRef: REF, scope: { type: 'global' } }, 1), /capability required/);
  assert.throws(() => upsertBinding([], { capability: 'c', secretRef: ' ', scope: { type: 'global' } }, 1), /secret_ref required/);
});

test('bindings: resolve ranks group > workspace > global, then consumer, then recency', () => {
  const list = [
    b('c', { type: 'global' }, undefined, 10),
    b('c', { type: 'global' }, undefined, 11),
    b('c', { type: 'global' }, 'w1', 5),
    b('c', { type: 'workspace', workspace_id: 'ws' }, undefined, 1),
    b('c', { type: 'group', workspace_id: 'ws', group_id: 'g' }, undefined, 0),
    b('c', { type: 'global' }, 'other', 99),
  ];
  assert.equal(resolveBinding(list, { capability: 'c' })!.updatedAtMs, 11);
  assert.equal(resolveBinding(list, { capability: 'c', consumer: 'w1' })!.consumer, 'w1');
  assert.equal(resolveBinding(list, { capability: 'c', workspaceId: 'ws' })!.scope.type, 'workspace');
  assert.equal(resolveBinding(list, { capability: 'c', workspaceId: 'ws', groupId: 'g' })!.scope.type, 'group');
  assert.equal(resolveBinding(list, { capability: 'c', workspaceId: 'other', groupId: 'g' })!.scope.type, 'global');
  assert.equal(resolveBinding(list, { capability: 'd' }), undefined);
});

test('bindings store round-trips capabilities.json', async () => {
  const { fs, vol } = createMemFs();
  const store = createBindingsStore({ fs, path: '/v/capabilities.json', ...ids });
  assert.deepEqual(await store.load(), []);
  const binding = b('c', { type: 'group', workspace_id: 'w', group_id: 'g' }, 'x', 7);
  await store.save([binding]);
  assert.deepEqual(await store.load(), [binding]);
  assert.deepEqual(Object.keys(JSON.parse(vol.readFileSync('/v/capabilities.json', 'utf8') as string).bindings[0]), ['capability', 'secretRef', 'scope', 'consumer', 'updatedAtMs']);
  vol.writeFileSync('/v/capabilities.json', '{"version":1,"bindings":[{"capability":""}]}');
  await assert.rejects(store.load(), /malformed file \/v\/capabilities.json: bindings/);
});

test('security.md §11: broker.json / capabilities.json get 0600 and a 0700 parent on save (an existing parent too) and again on load', async () => {
  const { fs, vol } = createMemFs();
  vol.mkdirSync('/v', { mode: 0o755 });
  const mode = (p: string) => Number(vol.statSync(p).mode) & 0o777;
  const brokerStore = createBrokerStore({ fs, path: '/v/broker.json', pid: 1, uuid: () => 'u1' });
  await brokerStore.save({ version: 1, credentials: [], capabilities: [], policies: [] });
  assert.deepEqual([mode('/v'), mode('/v/broker.json')], [0o700, 0o600]);
  const bindings = createBindingsStore({ fs, path: '/v/capabilities.json', pid: 1, uuid: () => 'u2' });
  vol.chmodSync('/v', 0o755);
  await bindings.save([]);
  assert.deepEqual([mode('/v'), mode('/v/capabilities.json')], [0o700, 0o600]);

  // loosened by hand: a load re-applies the modes (best effort)
  vol.chmodSync('/v', 0o755);
  vol.chmodSync('/v/broker.json', 0o644);
  vol.chmodSync('/v/capabilities.json', 0o666);
  await createBrokerStore({ fs, path: '/v/broker.json', pid: 1, uuid: () => 'u3' }).load();
  assert.deepEqual([mode('/v'), mode('/v/broker.json')], [0o700, 0o600]);
  vol.chmodSync('/v', 0o755);
  await bindings.load();
  assert.deepEqual([mode('/v'), mode('/v/capabilities.json')], [0o700, 0o600]);

  // a chmod that fails on load never fails the load
  const refusing = { ...fs, chmod: async () => { throw Object.assign(new Error('EPERM'), { code: 'EPERM' }); } };
  vol.chmodSync('/v/broker.json', 0o644);
  assert.deepEqual((await createBrokerStore({ fs: refusing, path: '/v/broker.json', pid: 1, uuid: () => 'u4' }).load()).credentials, []);
  // …but on save it aborts the save
  await assert.rejects(createBrokerStore({ fs: refusing, path: '/v/broker.json', pid: 1, uuid: () => 'u5' }).save({ version: 1, credentials: [], capabilities: [], policies: [] }), /EPERM/);
});

test('an unreadable broker.json / capabilities.json is `io error: <os error>` (vault.md §16), naming no path', async () => {
  const { fs, vol } = createMemFs();
  vol.mkdirSync('/v/broker.json', { recursive: true });
  vol.mkdirSync('/v/capabilities.json', { recursive: true });
  const expected = (e: unknown) => isBrokerError(e) && e.message === 'io error: Is a directory (os error 21)';
  await assert.rejects(createBrokerStore({ fs, path: '/v/broker.json', ...ids }).load(), expected);
  await assert.rejects(createBindingsStore({ fs, path: '/v/capabilities.json', ...ids }).load(), expected);
});
