// Operator API (cli.md §5-§6, §9-§10): credentials, capabilities, bindings, listing, describe, oauth setup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.js';
import * as op from '../../../src/core/runtime/operator/index.js';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { createRuntimeState } from '../../../src/core/runtime/create-runtime-state.js';

const deps = (h: Awaited<ReturnType<typeof harness>>) => ({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, bindingsStore: h.bindingsStore, clock: h.clock });
const fails = (p: Promise<unknown>, message: string | RegExp) =>
  assert.rejects(p, (e: unknown) => isBrokerError(e) && (typeof message === 'string' ? e.message === message : message.test(e.message)));

test('createCredential: rules, messages, pin check, registry capabilities activated', async () => {
  const h = await harness();
  const d = deps(h);
  const plain = await h.vault.createSecret({ name: 'MINE', value: new TextEncoder().encode('v'), scope: { kind: 'global' } });
  const ref = `vault:secret:${plain.secretId}`;
  await fails(op.createCredential(d, { id: ' ', provider: 'p', secretRef: ref }), 'credential id is required');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref }), '--auth is required when provider is not in built-in registry');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic' }), 'at least one --host is required when provider is not in built-in registry');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic', groupId: 'g' }), '--workspace-id is required when --group-id is provided');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: 'nope', auth: 'basic', hosts: ['a.example'] }), 'invalid secret_ref (expected vault:secret:<id>)');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: 'vault:secret:00000000-0000-4000-8000-999999999999', auth: 'basic', hosts: ['a.example'] }), 'secret does not exist: secret not found');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: { hmac: { algorithm: 'md5', header_name: 'x', value_template: '{{signature}}' } }, hosts: ['a.example'] }), /hmac algorithm/);
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic', hosts: ['a@b.example'] }), 'invalid host authority in capability or credential');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic', hosts: [' ', ''] }), 'credential hosts are required');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic', hosts: ['a.example'], maxPolicyMode: 'write' }), '--max-policy-mode is currently only supported for postgres credentials');

  const created = await op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic', hosts: ['A.example'], workspaceId: 'w' });
  assert.deepEqual(created, { id: 'c', provider: 'custom', workspaceId: 'w', groupId: null, auth: 'basic', hosts: ['A.example'], secretRef: ref }, 'hosts stored as given (cli.md §5.1)');
  await fails(op.createCredential(d, { id: 'c', provider: 'custom', secretRef: ref, auth: 'basic', hosts: ['a.example'] }), "credential 'c' already exists");
  await fails(op.createCredential(d, { id: ' c ', provider: ' ', secretRef: ref }), "credential 'c' already exists");

  const { secret } = await h.createSecret('OPENAI_API_KEY', 'sk');
  await fails(op.createCredential(d, { id: 'x', provider: 'anthropic', secretRef: `vault:secret:${secret.secretId}` }), "secret is pinned to provider 'openai' and cannot be used for provider 'anthropic'");
  const anthropic = await op.createCredential(d, { id: 'ant', provider: 'anthropic', secretRef: ref });
  assert.deepEqual(anthropic.hosts, ['api.anthropic.com']);
  assert.ok(h.brokerJson().capabilities.some((c: { id: string }) => c.id === 'anthropic/messages'));
});

test('listCredentials: stored ∪ derived, sorted; deleteCredential', async () => {
  const h = await harness();
  const d = deps(h);
  await h.createSecret('TRELLO_API_KEY', 'k');
  await h.createSecret('TRELLO_TOKEN', 't');
  await h.createSecret('TRELLO_API_KEY', 'k2', { kind: 'workspace', workspaceId: 'acme' });
  await h.createSecret('TRELLO_TOKEN', 't2', { kind: 'workspace', workspaceId: 'acme' });
  const plain = await h.vault.createSecret({ name: 'MINE', value: new TextEncoder().encode('v'), scope: { kind: 'global' } });
  await op.createCredential(d, { id: 'a-custom', provider: 'custom', secretRef: `vault:secret:${plain.secretId}`, auth: 'basic', hosts: ['a.example'] });
  const list = await op.listCredentials(d);
  assert.deepEqual(list.credentials.map((c) => [c.id, c.workspaceId]), [['a-custom', null], ['trello', null], ['trello:ws:acme', 'acme']]);
  assert.equal(list.path, '/vault/broker.json');
  assert.deepEqual(await op.deleteCredential(d, ' trello '), { removed: true, id: 'trello' });
  assert.deepEqual(await op.deleteCredential(d, 'trello'), { removed: false, id: 'trello' });
  assert.ok((await op.listCredentials(d)).credentials.some((c) => c.id === 'trello'), 'derived credentials reappear');
});

test('listCredentials reports a skipped broker.json entry as the runtime does, naming its id', async () => {
  const h = await harness();
  h.memfs.vol.writeFileSync('/vault/broker.json', JSON.stringify({ version: 1, credentials: [{ id: 'bad', provider: 'p', auth: 'nope', hosts: [], secretRef: 'x' }] }));
  const list = await op.listCredentials(deps(h));
  assert.ok(list.problems.some((p) => p.startsWith("broker.json credentials[0] 'bad' skipped: auth")), list.problems.join('\n'));
});

test('capabilities: create, policy set, delete', async () => {
  const h = await harness();
  const d = deps(h);
  const plain = await h.vault.createSecret({ name: 'MINE', value: new TextEncoder().encode('v'), scope: { kind: 'global' } });
  await op.createCredential(d, { id: 'mine', provider: 'my-api', secretRef: `vault:secret:${plain.secretId}`, auth: 'basic', hosts: ['api.example.com'] });
  await fails(op.createCapability(d, { id: 'x', methods: ['GET'], pathPrefixes: ['/'] }), '--provider or --credential is required for capability create');
  await fails(op.createCapability(d, { id: 'x', credential: 'nope', methods: ['GET'], pathPrefixes: ['/'] }), "credential 'nope' not found");
  await fails(op.createCapability(d, { id: 'x', provider: 'p', methods: ['GET'], pathPrefixes: ['/'] }), 'at least one --host is required when --credential is not provided');
  await fails(op.createCapability(d, { id: 'x', provider: 'p', methods: [], pathPrefixes: ['/'] }), 'at least one --method is required');
  await fails(op.createCapability(d, { id: 'x', credential: 'mine', methods: ['GET'], pathPrefixes: ['v1'] }), "capability methods and pathPrefixes must be non-blank and start with '/'");
  await fails(op.createCapability(d, { id: 'x', provider: ' ', hosts: ['h.example'], methods: ['GET'], pathPrefixes: ['/'] }), 'capability id and provider are required');
  await fails(op.createCapability(d, { id: 'x', provider: 'p', credential: 'nope', methods: ['GET'], pathPrefixes: ['/'] }), "credential 'nope' not found");
  // The credential is only consulted for what the flags leave out.
  assert.deepEqual((await op.createCapability(d, { id: 'both', provider: 'p', credential: 'nope', hosts: ['h.example'], methods: ['GET'], pathPrefixes: ['/'] })).allow.hosts, ['h.example']);
  assert.equal((await op.createCapability(d, { id: 'mixed', provider: 'other', credential: 'mine', methods: ['GET'], pathPrefixes: ['/'] })).provider, 'other');
  const cap = await op.createCapability(d, { id: ' my-api/users ', credential: 'mine', methods: ['GET'], pathPrefixes: ['/v1/users'] });
  assert.deepEqual(cap, { id: 'my-api/users', provider: 'my-api', allow: { hosts: ['api.example.com'], methods: ['GET'], pathPrefixes: ['/v1/users'] } });
  await fails(op.createCapability(d, { id: 'my-api/users', provider: 'p', hosts: ['h.example'], methods: ['GET'], pathPrefixes: ['/'] }), "capability 'my-api/users' already exists");
  await fails(op.setCapabilityPolicy(d, { capability: 'openai/models' }), "capability 'openai/models' not found");
  const policy = await op.setCapabilityPolicy(d, { capability: 'my-api/users', rateLimitPerMinute: 60 });
  assert.deepEqual(policy, { capabilityId: 'my-api/users', policy: { rateLimitPerMinute: 60, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: [] } });
  assert.deepEqual(await op.deleteCapability(d, 'my-api/users'), { removedCapability: true, removedPolicy: true, id: 'my-api/users' });
});

test('bindings: pinned secrets bind only to their provider', async () => {
  const h = await harness();
  const d = deps(h);
  const { secret } = await h.createSecret('OPENAI_API_KEY', 'sk');
  const ref = `vault:secret:${secret.secretId}`;
  await fails(op.bindCapability(d, { capability: 'slack/chat', secretRef: ref, scope: 'global' }), /is pinned to provider 'openai' and cannot be bound to capability 'slack\/chat' \(provider Some\("slack"\)\)/);
  await fails(op.bindCapability(d, { capability: 'nope/x', secretRef: ref, scope: 'global' }), /\(provider None\)$/);
  const binding = await op.bindCapability(d, { capability: 'openai/transcription', secretRef: ref, scope: 'workspace', workspaceId: 'acme', consumer: 'worker-a' });
  assert.deepEqual(binding, { capability: 'openai/transcription', secretRef: ref, scope: { type: 'workspace', workspace_id: 'acme' }, consumer: 'worker-a', updatedAtMs: h.clock.now() });
  assert.equal((await op.listBindings(d, { scope: { scope: 'workspace', workspaceId: 'acme' } })).length, 1);
  assert.equal((await op.listBindings(d, { consumer: 'other' })).length, 0);
  assert.equal((await op.listBindings(d, { consumer: ' ' })).length, 1, 'a blank consumer does not filter');
  assert.equal((await op.listBindings(d, { capability: ' openai/transcription ' })).length, 1, 'capability id trimmed, exact');
  assert.equal((await op.listBindings(d, { capability: 'openai/' })).length, 0, 'no prefix match');
  assert.equal((await op.listBindings(d, { capability: ' ' })).length, 0, 'a blank capability matches nothing (cli.md §6.8)');
  assert.equal((await op.listBindings(d, { scope: { scope: 'global' } })).length, 0);
  assert.deepEqual(await op.unbindCapability(d, { capability: 'openai/transcription', scope: 'workspace', workspaceId: 'acme', consumer: 'worker-a' }), { removed: true, path: '/vault/capabilities.json' });
});

test('listCapabilities: a fresh vault shows 283 available; an OpenAI key makes 20 ready', async () => {
  const h = await harness();
  const d = deps(h);
  const fresh = await op.listCapabilities(d);
  assert.deepEqual([fresh.ready.length, fresh.available.length, fresh.count], [0, 283, 283]);
  const trello = fresh.availableByProvider.find((g) => g.provider === 'trello')!;
  assert.equal(trello.setup, 'aivault secrets create --name TRELLO_API_KEY --value "..." --scope global && aivault secrets create --name TRELLO_TOKEN --value "..." --scope global');
  await h.createSecret('OPENAI_API_KEY', 'sk');
  const after = await op.listCapabilities(d);
  assert.equal(after.ready.length, 20);
  assert.ok(after.ready.every((c) => c.provider === 'openai'));
  assert.equal(after.count, 283);
  assert.equal(after.availableByProvider.some((g) => g.provider === 'openai'), false);
});

interface Call {
  defaults: unknown;
  requiredFlagsWhenNoRequestPayload: unknown;
  howTo: { templates: { envelope: unknown }; examples: Array<{ command: string }> };
}

test('describeCapability: cli.md §6.2 shape', async () => {
  const d = deps(await harness());
  const t = await op.describeCapability(d, 'openai/transcription');
  assert.deepEqual(t.setup, {
    requiredSecrets: { OPENAI_API_KEY: 'secret' },
    commands: ['aivault secrets create --name OPENAI_API_KEY --value "..." --scope global'],
    note: (t.setup as { note: string }).note,
  });
  const call = t.call as Call;
  assert.deepEqual(call.defaults, { method: 'POST', path: '/v1/audio/transcriptions' });
  assert.deepEqual(call.requiredFlagsWhenNoRequestPayload, []);
  assert.deepEqual(call.howTo.templates.envelope, { capability: 'openai/transcription', request: { method: 'POST', path: '/v1/audio/transcriptions', headers: [] } });
  assert.deepEqual(call.howTo.examples.map((e) => e.command), [
    'aivault invoke openai/transcription',
    `aivault invoke openai/transcription --header content-type=application/json --body '{"todo":"fill"}'`,
    `aivault invoke openai/transcription --request '{"headers":[],"method":"POST","path":"/v1/audio/transcriptions"}'`,
  ]);
  const models = (await op.describeCapability(d, 'openai/models')).call as Call;
  assert.deepEqual(models.defaults, { method: null, path: '/v1/models' });
  assert.deepEqual(models.requiredFlagsWhenNoRequestPayload, ['--method']);
  assert.equal(models.howTo.examples.length, 2, 'no JSON body example without POST');
  assert.equal(models.howTo.examples[0]?.command, 'aivault invoke openai/models --method DELETE');
  await fails(op.describeCapability(d, 'nope/x'), "capability 'nope/x' not found");
});

test('oauthSetup builds the consent URL of cli.md §9; providers list is empty', () => {
  const r = op.oauthSetup({
    provider: 'google',
    authUrl: 'https://accounts.example.com/oauth2/v2/auth',
    clientId: 'client-123',
    redirectUri: 'http://127.0.0.1:8080/callback',
    scopes: ['gmail.readonly', ' ', 'calendar.readonly'],
    state: 'state-xyz',
  });
  assert.equal(
    r.consentUrl,
    'https://accounts.example.com/oauth2/v2/auth?response_type=code&client_id=client-123&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback&scope=gmail.readonly%20calendar.readonly&state=state-xyz',
  );
  assert.equal(r.exchangeOutsideBroker, true);
  assert.equal(r.notes.length, 3);
  assert.equal(op.oauthSetup({ provider: 'p', authUrl: 'https://a.example/x?y=1', clientId: "c!'*", redirectUri: 'r' }).consentUrl, 'https://a.example/x?y=1&response_type=code&client_id=c%21%27%2A&redirect_uri=r');
  assert.throws(() => op.oauthSetup({ provider: 'p', authUrl: ' ', clientId: 'c', redirectUri: 'r' }), /provider, auth_url, client_id, and redirect_uri are required/);
  assert.deepEqual(op.listProviders(), { providers: [] });
});

test('describeCapability: no single default → hints (POST if allowed, first prefix) in required flags, examples and templates; custom capabilities have setup null', async () => {
  const h = await harness();
  const d = deps(h);
  const a = await op.describeCapability(d, 'openai/assistants');
  const call = a.call as Call & { howTo: { notes: string[]; templates: { request: unknown } } };
  assert.deepEqual(call.defaults, { method: null, path: null });
  assert.deepEqual(call.requiredFlagsWhenNoRequestPayload, ['--method', '--path']);
  assert.deepEqual(call.howTo.examples, [
    { title: 'Minimal invocation (add required flags)', command: 'aivault invoke openai/assistants --method POST --path /v1/assistants' },
    {
      title: 'JSON body example (when upstream expects JSON)',
      command: `aivault invoke openai/assistants --method POST --path /v1/assistants --header content-type=application/json --body '{"todo":"fill"}'`,
    },
    { title: 'Inline request payload example', command: `aivault invoke openai/assistants --request '{"headers":[],"method":"POST","path":"/v1/assistants"}'` },
  ]);
  assert.deepEqual(call.howTo.templates.request, { method: 'POST', path: '/v1/assistants', headers: [] });
  assert.equal(call.howTo.notes.length, 4);
  assert.match(call.howTo.notes[0]!, /DELETE, GET, POST/);
  assert.match(call.howTo.notes[1]!, /\/v1\/assistants, \/v1\/threads/);

  const meta = (await op.describeCapability(d, 'github/meta')).call as Call;
  assert.deepEqual(meta.defaults, { method: 'GET', path: null });
  assert.deepEqual(meta.requiredFlagsWhenNoRequestPayload, ['--path']);
  assert.deepEqual(meta.howTo.examples.map((e) => e.command), [
    'aivault invoke github/meta --path /emojis',
    `aivault invoke github/meta --request '{"headers":[],"method":"GET","path":"/emojis"}'`,
  ]);

  await op.createCapability(d, { id: 'my-api/items', provider: 'my-api', hosts: ['api.example.com'], methods: ['GET', 'PUT'], pathPrefixes: ['/v1/items'] });
  const custom = await op.describeCapability(d, ' my-api/items ');
  assert.equal(custom.capability, 'my-api/items');
  assert.equal(custom.provider, 'my-api');
  assert.equal(custom.setup, null);
  assert.deepEqual(custom.allowed, { hosts: ['api.example.com'], methods: ['GET', 'PUT'], pathPrefixes: ['/v1/items'] });
  assert.deepEqual((custom.call as Call).howTo.examples[0], { title: 'Minimal invocation (add required flags)', command: 'aivault invoke my-api/items --method GET' });
});

test('describeCapability looks in broker.json first, so a stored copy of a registry id is described as the invocation defaults see it (cli.md §6.2, registry.md §12)', async () => {
  const h = await harness();
  const d = deps(h);
  await op.createCapability(d, { id: 'openai/models', provider: 'openai', hosts: ['api.openai.com'], methods: ['GET'], pathPrefixes: ['/v1/models'] });
  const described = await op.describeCapability(d, 'openai/models');
  assert.deepEqual(described.allowed, { hosts: ['api.openai.com'], methods: ['GET'], pathPrefixes: ['/v1/models'] });
  assert.deepEqual((described.call as Call).defaults, { method: 'GET', path: '/v1/models' });
  assert.notEqual(described.setup, null, 'setup still comes from the registry provider');
});

test('createCredential stores hosts as given; the runtime view normalises them', async () => {
  const h = await harness();
  const d = deps(h);
  const secret = await h.vault.createSecret({ name: 'MIXED', value: new TextEncoder().encode('v'), scope: { kind: 'global' } });
  const created = await op.createCredential(d, { id: 'mixed', provider: 'custom', secretRef: `vault:secret:${secret.secretId}`, auth: 'basic', hosts: ['API.Example.com', 'api.example.com'] });
  assert.deepEqual(created.hosts, ['API.Example.com', 'api.example.com']);
  const rt = await createRuntimeState({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context: {} });
  assert.deepEqual(rt.credentials().find((c) => c.id === 'mixed')?.hosts, ['api.example.com']);
});
