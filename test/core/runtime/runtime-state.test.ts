// vault.md §10.1 canonicalisation, [B-CTX] eligibility, pin re-checks, secret loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { group, harness, ws } from './harness.js';
import { createRuntimeState } from '../../../src/core/runtime/create-runtime-state.js';
import { isEligible, normalizeContext } from '../../../src/core/runtime/eligibility.js';
import type { StoredCredential } from '../../../src/core/registry/types.js';

type H = Awaited<ReturnType<typeof harness>>;
const state = (h: H, context: { workspaceId?: string; groupId?: string } = {}, requestedCredential?: string) =>
  createRuntimeState({ vault: h.vault, registry: h.registry, brokerStore: h.brokerStore, clock: h.clock, context, ...(requestedCredential ? { requestedCredential } : {}) });

async function addStored(h: H, credential: StoredCredential, capabilities: unknown[] = [], policies: unknown[] = []): Promise<void> {
  const file = (await h.brokerStore.load()) as { credentials: StoredCredential[]; capabilities: unknown[]; policies: unknown[] };
  file.credentials.push(credential);
  file.capabilities.push(...capabilities);
  file.policies.push(...policies);
  await h.brokerStore.save(file as never);
}

test('tampered broker.json: the registry wins (auth, hosts, capability definitions)', async () => {
  const h = await harness();
  await h.createSecret('OPENAI_API_KEY', 'sk');
  const file = h.brokerJson();
  file.credentials[0].auth = { query: { param_name: 'leak' } };
  file.credentials[0].hosts = ['evil.example'];
  file.capabilities.find((c: { id: string }) => c.id === 'openai/embeddings').allow.hosts = ['evil.example'];
  h.memfs.vol.writeFileSync('/vault/broker.json', JSON.stringify(file));
  const rt = await state(h);
  const openai = rt.credentials().find((c) => c.id === 'openai')!;
  assert.equal(openai.source, 'registry');
  assert.deepEqual(openai.auth, { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } });
  assert.deepEqual(openai.hosts, ['api.openai.com']);
  assert.deepEqual(rt.findCapability('openai/embeddings')!.allow.hosts, ['api.openai.com']);
});

test('a stored copy of a registry provider under another id keeps only registry auth and in-policy hosts', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('OPENAI_API_KEY', 'sk');
  const ref = `vault:secret:${secret.secretId}`;
  await addStored(h, { id: 'work', provider: 'openai', workspaceId: null, groupId: null, auth: { query: { param_name: 'x' } }, hosts: ['api.openai.com'], secretRef: ref });
  const rt = await state(h);
  const work = rt.credentials().find((c) => c.id === 'work')!;
  assert.equal(work.source, 'stored');
  assert.deepEqual(work.auth, h.registry.provider('openai')!.auth);
});

test('a pinned secret is refused for another provider; the violation names the credential', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('OPENAI_API_KEY', 'sk');
  const ref = `vault:secret:${secret.secretId}`;
  await addStored(h, { id: 'exfil', provider: 'my-proxy', workspaceId: null, groupId: null, auth: 'basic', hosts: ['evil.example'], secretRef: ref });
  await addStored(h, { id: 'openai-evil', provider: 'openai', workspaceId: null, groupId: null, auth: 'basic', hosts: ['evil.example'], secretRef: ref });
  const rt = await state(h);
  assert.deepEqual(rt.credentials().map((c) => c.id), ['openai']);
  assert.ok(rt.problems.includes("credential 'exfil' skipped: credential 'exfil' provider 'my-proxy' cannot use secret pinned to provider 'openai'"));
  assert.ok(rt.problems.includes("credential 'openai-evil' skipped: credential 'openai-evil' hosts are not allowed by registry host policy for provider 'openai'"));
  const requested = await state(h, {}, 'exfil');
  const exfil = requested.credentials().find((c) => c.id === 'exfil')!;
  assert.match(exfil.loadError!.message, /cannot use secret pinned to provider 'openai'/);
  await assert.rejects(requested.loadSecret(exfil, 'broker.credential.load'), /cannot use secret pinned/);
});

test('one bad custom entry never disables the others', async () => {
  const h = await harness();
  const s = await h.vault.createSecret({ name: 'MY_KEY', value: new TextEncoder().encode('v'), scope: { kind: 'global' } });
  const ref = `vault:secret:${s.secretId}`;
  const cap = (id: string, hosts: string[]) => ({ id, provider: 'mine', allow: { hosts, methods: ['GET'], pathPrefixes: ['/v1'] } });
  await addStored(h, { id: 'mine', provider: 'mine', workspaceId: null, groupId: null, auth: 'basic', hosts: ['api.mine.example'], secretRef: ref }, [
    cap('mine/two-hosts', ['a.mine.example', 'b.mine.example']),
    cap('mine/ok', ['api.mine.example']),
  ], [{ capabilityId: 'nope/x', policy: { rateLimitPerMinute: 1 } }, { capabilityId: 'mine/ok', policy: { rateLimitPerMinute: 2 } }]);
  await addStored(h, { id: 'broken', provider: 'mine', workspaceId: null, groupId: null, auth: { multi_header: [] }, hosts: ['api.mine.example'], secretRef: ref });
  const raw = h.brokerJson();
  raw.credentials.push({ id: 'garbage', provider: 'mine' });
  h.memfs.vol.writeFileSync('/vault/broker.json', JSON.stringify(raw));
  const rt = await state(h);
  assert.deepEqual(rt.credentials().map((c) => c.id), ['mine']);
  assert.ok(rt.findCapability('mine/ok'));
  assert.equal(rt.findCapability('mine/two-hosts'), undefined);
  assert.equal(rt.policyFor('mine/ok')!.rateLimitPerMinute, 2);
  assert.equal(rt.problems.length, 4, rt.problems.join('\n'));
  assert.ok(rt.findCapability('slack/chat'), 'registry capabilities resolve without a credential');
});

test('[B-CTX] eligibility and scope ranks', async () => {
  const none = normalizeContext({});
  const w = normalizeContext({ workspaceId: ' w ' });
  const wg = normalizeContext({ workspaceId: 'w', groupId: 'g' });
  const orphan = normalizeContext({ groupId: 'g' });
  const c = (workspaceId: string | null, groupId: string | null) => ({ workspaceId, groupId });
  assert.deepEqual([isEligible(c(null, null), none), isEligible(c('w', null), none)], [true, false]);
  assert.deepEqual([isEligible(c(null, null), w), isEligible(c('w', null), w), isEligible(c('x', null), w), isEligible(c('w', 'g'), w)], [true, true, false, false]);
  assert.deepEqual([isEligible(c('w', null), wg), isEligible(c('w', 'g'), wg), isEligible(c('w', 'h'), wg)], [true, true, false]);
  assert.equal(isEligible(c(null, null), orphan), false);

  const h = await harness();
  await h.createSecret('GITHUB_TOKEN', 'global');
  await h.createSecret('GITHUB_TOKEN', 'ws', ws('w'));
  await h.createSecret('GITHUB_TOKEN', 'grp', group('w', 'g'));
  const ranks = (await state(h, { workspaceId: 'w', groupId: 'g' })).credentials().map((x) => [x.id, x.scopeRank]);
  assert.deepEqual(ranks, [['github', 0], ['github:group:w:g', 2], ['github:ws:w', 1]]);
  assert.deepEqual((await state(h)).credentials().map((x) => x.id), ['github']);
});

test('loadSecret decrypts only the chosen credential; global registry secrets skip the scope check', async () => {
  const h = await harness();
  await h.createSecret('OPENAI_API_KEY', 'sk-openai');
  await h.createSecret('GITHUB_TOKEN', 'gh');
  const rt = await state(h, { workspaceId: 'w', groupId: 'g' });
  assert.equal(h.vault.reads.length, 0, 'building the state decrypts nothing');
  const openai = rt.credentials().find((c) => c.id === 'openai')!;
  assert.equal(new TextDecoder().decode(await rt.loadSecret(openai, 'broker.credential.load')), 'sk-openai');
  assert.deepEqual(h.vault.reads.map((r) => [r.name, r.purpose]), [['OPENAI_API_KEY', 'broker.credential.load']]);
  await assert.rejects(rt.loadSecret({ ...openai, id: 'made-up' }, 'x'), /credential not found/);
});

test('a manual global credential in a group context needs the attachment', async () => {
  const h = await harness();
  const s = await h.vault.createSecret({ name: 'MY_KEY', value: new TextEncoder().encode('v'), scope: { kind: 'global' } });
  await addStored(h, { id: 'mine', provider: 'mine', workspaceId: null, groupId: null, auth: 'basic', hosts: ['api.mine.example'], secretRef: `vault:secret:${s.secretId}` });
  assert.deepEqual((await state(h, { workspaceId: 'w', groupId: 'g' })).credentials(), []);
  await h.vault.attachGroup(s.secretId, 'w', 'g');
  const rt = await state(h, { workspaceId: 'w', groupId: 'g' });
  const mine = rt.credentials()[0]!;
  assert.equal(new TextDecoder().decode(await rt.loadSecret(mine, 'broker.credential.load')), 'v');
});

test('writeSecret rotates the credential secret (OAuth write-back)', async () => {
  const h = await harness();
  const { secret } = await h.createSecret('GOOGLE_GMAIL_OAUTH', '{"clientId":"c","refreshToken":"r"}');
  const rt = await state(h);
  const gmail = rt.credentials().find((c) => c.id === 'google-gmail')!;
  await rt.writeSecret(gmail, new TextEncoder().encode('{"clientId":"c","refreshToken":"r2"}'));
  assert.equal((await h.vault.getSecret(secret.secretId)).valueVersion, 2);
});

test('an explicitly requested credential out of the call scope fails "secret not accessible" and audits secret.access.denied (broker.md §4.5)', async () => {
  const h = await harness();
  const s = await h.vault.createSecret({ name: 'MY_KEY', value: new TextEncoder().encode('v'), scope: ws('A') });
  await addStored(h, { id: 'mine', provider: 'mine', workspaceId: null, groupId: null, auth: 'basic', hosts: ['api.mine.example'], secretRef: `vault:secret:${s.secretId}` });
  const denied = async () => (await h.vault.readAudit(50)).filter((e) => e.kind === 'secret.access.denied');

  // not requested: skipped silently, nothing audited
  assert.deepEqual((await state(h, { workspaceId: 'B', groupId: 'g' })).credentials(), []);
  assert.equal((await denied()).length, 0);

  const rt = await state(h, { workspaceId: 'B', groupId: 'g' }, 'mine');
  const mine = rt.credentials().find((c) => c.id === 'mine')!;
  assert.equal(mine.loadError!.message, 'secret not accessible');
  const events = await denied();
  assert.equal(events.length, 1);
  assert.deepEqual(
    { secretId: events[0]!.secretId, scope: events[0]!.scope, note: events[0]!.note, actor: events[0]!.actor },
    { secretId: s.secretId, scope: 'workspace:A', note: 'group:B:g', actor: 'operator' },
  );
  // without a group context the event carries no note
  await state(h, {}, 'mine');
  const again = await denied();
  assert.equal(again.length, 2);
  assert.equal(again.find((e) => e.note === undefined)?.secretId, s.secretId);
  assert.equal(h.vault.reads.length, 0, 'nothing decrypted');
});
