// Every shipped provider document validates, and matches the contract's capability table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { builtinRegistry, createRegistry, parseRegistryJson } from '../../../src/core/registry/registry.js';
import { BUILTIN_REGISTRY_FILES } from '../../../src/core/registry/data/index.js';
import { CAPABILITY_SHAPES, capabilityShape } from '../../../src/core/registry/capability-shapes.js';
import { validateCapability } from '../../../src/core/registry/capability.js';
import { isBrokerError } from '../../../src/core/broker-error.js';
import type { Capability } from '../../../src/core/registry/types.js';

const SPEC = resolve(import.meta.dirname, '../../../../shared/spec/registry-capabilities.md');

test('the built-in registry loads: 44 providers, 283 capabilities, 49 claimed names', () => {
  const registry = builtinRegistry();
  assert.equal(registry.providers.length, 44);
  assert.equal(registry.capabilities.length, 283);
  const names = new Set(registry.providers.flatMap((p) => [...Object.keys(p.vaultSecrets), ...p.credentialAlternatives.flatMap((a) => Object.keys(a.vaultSecrets))]));
  assert.equal(names.size, 49);
  assert.equal(registry.claimOwner('CODEX_OAUTH_JSON'), 'openai');
  assert.equal(registry.claimOwner('FAL_API_KEY'), 'fal');
  assert.equal(registry.claimOwner('openai_api_key'), undefined);
});

test('each shipped file follows the authoring rules (registry.md §9.3) and validates in relaxed mode', () => {
  for (const { file, document } of BUILTIN_REGISTRY_FILES) {
    const doc = document as { provider: string; hosts: string[]; capabilities: Array<{ id: string; provider: string; allow: Record<string, string[]> }> };
    assert.equal(file, `${doc.provider}.json`);
    const ids = doc.capabilities.map((c) => c.id);
    assert.deepEqual(ids, [...ids].sort(), `${file}: capabilities sorted`);
    for (const c of doc.capabilities) {
      assert.equal(c.provider, doc.provider);
      for (const list of Object.values(c.allow)) assert.deepEqual(list, [...new Set(list)].sort(), `${c.id} lists sorted, unique`);
      validateCapability(c as unknown as Capability, 'registry');
    }
  }
});

test('every shipped document passes the provider schema, and the built-in registry equals the schema-checked one', () => {
  const checked = createRegistry(BUILTIN_REGISTRY_FILES);
  const builtin = builtinRegistry();
  assert.deepEqual(builtin.providers, checked.providers);
  assert.deepEqual(builtin.capabilities, checked.capabilities);
});

test('the registry is immutable', () => {
  const openai = builtinRegistry().provider('openai')!;
  assert.throws(() => (openai.hosts as string[]).push('evil.example'));
  assert.deepEqual(builtinRegistry().provider('openai')!.hosts, ['api.openai.com']);
  assert.equal(builtinRegistry().capability('  openai/embeddings '), builtinRegistry().capability('openai/embeddings'));
  assert.equal(builtinRegistry().capability('   '), undefined);
});

test('capability shapes mirror the registry', () => {
  assert.equal(Object.keys(CAPABILITY_SHAPES).length, 283);
  for (const c of builtinRegistry().capabilities) {
    assert.deepEqual(capabilityShape(c.id), { methods: c.allow.methods, pathPrefixes: c.allow.pathPrefixes });
  }
  assert.equal(capabilityShape('nope/x'), undefined);
  assert.equal(capabilityShape('toString'), undefined);
});

test('registry data matches registry-capabilities.md', { skip: existsSync(SPEC) ? false : 'shared/spec/registry-capabilities.md is not present next to the repository' }, () => {
  const text = readFileSync(SPEC, 'utf8');
  const rows = [...text.matchAll(/^\| `([^`]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$/gm)];
  assert.equal(rows.length, 283);
  const sections = [...text.matchAll(/^## (\S+)\n\n- secrets: (.*); auth: `([^`]+)`; hosts: (.*)$/gm)];
  assert.equal(sections.length, 44);
  const registry = builtinRegistry();
  for (const [, provider, secrets, , hosts] of sections) {
    const p = registry.provider(provider!)!;
    assert.ok(p, provider);
    assert.deepEqual(Object.keys(p.vaultSecrets).sort(), [...secrets!.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort());
    assert.deepEqual([...p.hosts].sort(), [...hosts!.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort());
  }
  for (const [, id, methods, prefixes, hosts] of rows) {
    const c = registry.capability(id!);
    assert.ok(c, id);
    assert.deepEqual([...c.allow.methods].sort(), methods!.trim().split(/\s+/).sort(), `${id} methods`);
    assert.deepEqual([...c.allow.pathPrefixes].sort(), [...prefixes!.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort(), `${id} prefixes`);
    const wanted = hosts!.trim() === '' ? [...registry.provider(c.provider)!.hosts] : hosts!.trim().split(/[\s,]+/);
    assert.deepEqual([...c.allow.hosts].sort(), wanted.sort(), `${id} hosts`);
  }
});

test('auth templates of registry.md §13 and §13.1', () => {
  const r = builtinRegistry();
  assert.deepEqual(r.provider('anthropic')!.auth, { header: { header_name: 'x-api-key', value_template: '{{secret}}' } });
  assert.deepEqual(r.provider('gemini')!.auth, { query: { param_name: 'key' } });
  assert.deepEqual(r.provider('telegram')!.auth, { path: { prefix_template: '/bot{{secret}}' } });
  assert.equal(r.provider('twilio')!.auth, 'basic');
  assert.deepEqual(r.provider('mailgun')!.vaultSecrets, { MAILGUN_API_KEY: 'password' });
  assert.deepEqual(r.provider('google-gmail')!.auth, {
    o_auth2: {
      grant_type: 'refresh_token',
      token_endpoint: 'https://auth.moldable.sh/api/google/refresh',
      scopes: ['https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/gmail.send', 'https://www.googleapis.com/auth/contacts.readonly'],
    },
  });
  const codex = r.provider('openai')!.credentialAlternatives;
  assert.deepEqual(codex.map((a) => [a.id, a.priority, a.upstreamPathPrefix, a.capabilities]), [
    ['codex-oauth', 100, '/backend-api/codex', ['openai/codex-responses', 'openai/codex-realtime']],
    ['codex-oauth-usage', 100, '/backend-api', ['openai/codex-usage']],
  ]);
  const fal = r.provider('fal')!.credentialAlternatives[0]!;
  assert.deepEqual([fal.id, fal.priority, fal.capabilities, fal.vaultSecrets], ['fal-api-key', 5, ['fal/image-to-3d'], { FAL_API_KEY: 'secret' }]);
});

const doc = (provider: string, secrets: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  provider,
  vaultSecrets: secrets,
  auth: 'basic',
  hosts: ['api.example.com'],
  capabilities: [{ id: `${provider}/x`, provider, allow: { hosts: ['api.example.com'], methods: ['GET'], pathPrefixes: ['/'] } }],
  ...extra,
});

function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => isBrokerError(e, 'invalid_request') && (typeof message === 'string' ? e.message === message : message.test(e.message)));
}

test('load rules of registry.md §9.1', () => {
  rejects(() => createRegistry([{ file: 'a.json', document: doc('a', {}) }, { file: 'b.json', document: doc('a', {}) }]), 'duplicate provider in registry');
  rejects(() => createRegistry([{ file: 'a.json', document: doc('a', { ' ': 'secret' }) }]), 'registry vaultSecrets keys must be non-empty');
  rejects(
    () => createRegistry([{ file: 'a.json', document: doc('a', { K: 'secret' }) }, { file: 'b.json', document: doc('b', { K: 'secret' }) }]),
    "duplicate vault secret name 'K' claimed by providers 'a' and 'b'",
  );
  rejects(() => createRegistry([{ file: 'a.json', document: doc('a', {}, { extra: true }) }]), /^invalid built-in registry provider 'a.json': extra: /);
  rejects(() => createRegistry([{ file: 'a.json', document: doc('a', {}, { hosts: [] }) }]), /^invalid built-in registry provider 'a.json': hosts/);
  rejects(() => createRegistry([{ file: 'a.json', document: doc('a', {}, { auth: { bearer: {} } }) }]), /^invalid built-in registry provider 'a.json': auth/);
  // The same provider may repeat a name across its primary and alternatives.
  const alt = { id: 'alt', auth: 'basic', hosts: ['x.example.com'], vaultSecrets: { K: 'secret' } };
  const ok = createRegistry([{ file: 'a.json', document: doc('a', { K: 'secret' }, { credentialAlternatives: [alt, { ...alt, id: 'alt2' }] }) }]);
  assert.deepEqual(ok.provider('a')!.credentialAlternatives.map((a) => [a.priority, a.capabilities]), [[0, []], [0, []]]);
});

test('parseRegistryJson accepts {providers} or an array and reports invalid JSON', () => {
  assert.equal(parseRegistryJson(JSON.stringify({ providers: [doc('a', {})] })).providers.length, 1);
  assert.equal(parseRegistryJson(JSON.stringify([doc('a', {}), doc('b', {})])).capabilities.length, 2);
  rejects(() => parseRegistryJson('{nope'), /^invalid registry JSON: /);
  rejects(() => parseRegistryJson('{"providers": 3}'), /^invalid registry JSON: /);
  rejects(() => parseRegistryJson(JSON.stringify([doc('a', {}, { hosts: [''] })])), /^invalid registry JSON: providers\[0\]: hosts/);
});

const REGISTRY_SPEC = resolve(import.meta.dirname, '../../../../shared/spec/registry.md');

test('every row of the registry.md §13 provider table: claims and placeholders, auth, hosts, capability count; §13.1 alternatives', { skip: existsSync(REGISTRY_SPEC) ? false : 'shared/spec/registry.md is not present next to the repository' }, () => {
  const text = readFileSync(REGISTRY_SPEC, 'utf8');
  const section = text.slice(text.indexOf('## 13. Built-in providers'), text.indexOf('### 13.1'));
  const rows = [...section.matchAll(/^\| `([^`]+)` \| (.*) \| `(\w+)`(.*) \| (.*) \| (\d+) \|$/gm)];
  assert.equal(rows.length, 44);
  const r = builtinRegistry();
  const codes = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  for (const [, id, claims, kind, detail, hosts, count] of rows) {
    const p = r.provider(id!)!;
    assert.ok(p, id);
    const primary = claims!.split('(+')[0]!;
    const pairs = [...primary.matchAll(/`([^`]+)`→`([^`]+)`/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(Object.entries(p.vaultSecrets), pairs, `${id} claims`);
    const altClaims = codes(claims!.split('(+')[1] ?? '');
    assert.deepEqual([...new Set(p.credentialAlternatives.flatMap((a) => Object.keys(a.vaultSecrets)))], altClaims, `${id} alternative claims`);
    assert.deepEqual(p.hosts, codes(hosts!), `${id} hosts`);
    assert.equal(p.capabilities.length, Number(count), `${id} capability count`);
    const auth = p.auth;
    const d = codes(detail!);
    switch (kind) {
      case 'header': {
        const [name, template] = d[0]!.split(': ');
        assert.deepEqual(auth, { header: { header_name: name, value_template: template } }, id);
        break;
      }
      case 'query':
        assert.deepEqual(auth, { query: { param_name: d[0] } }, id);
        break;
      case 'path':
        assert.deepEqual(auth, { path: { prefix_template: d[0] } }, id);
        break;
      case 'multi_header':
        assert.deepEqual(auth, { multi_header: d.map((e) => ({ header_name: e.split(': ')[0], value_template: e.split(': ')[1] })) }, id);
        break;
      case 'multi_query':
        assert.deepEqual(auth, { multi_query: d.map((e) => ({ param_name: e.split('=')[0], value_template: e.split('=')[1] })) }, id);
        break;
      case 'basic':
        assert.equal(auth, 'basic', id);
        break;
      case 'o_auth2': {
        const o = (auth as { o_auth2: { grant_type: string; token_endpoint: string; scopes?: string[] } }).o_auth2;
        assert.deepEqual([o.grant_type, o.token_endpoint, o.scopes?.length], [d[0], d[1], Number(/\((\d+) scopes\)/.exec(detail!)![1])], id);
        break;
      }
      default:
        assert.fail(`${id}: unexpected auth ${kind}`);
    }
  }
  assert.deepEqual((r.provider('google-calendar')!.auth as { o_auth2: { scopes: string[] } }).o_auth2.scopes, [
    'https://www.googleapis.com/auth/calendar.events',
    'https://www.googleapis.com/auth/calendar.readonly',
  ]);
  const codexAuth = { multi_header: [{ header_name: 'authorization', value_template: 'Bearer {{access_token}}' }, { header_name: 'ChatGPT-Account-Id', value_template: '{{account_id}}' }] };
  assert.deepEqual(
    r.provider('openai')!.credentialAlternatives.map((a) => [a.id, a.vaultSecrets, a.auth, a.hosts]),
    [
      ['codex-oauth', { CODEX_OAUTH_JSON: 'oauth' }, codexAuth, ['chatgpt.com']],
      ['codex-oauth-usage', { CODEX_OAUTH_JSON: 'oauth' }, codexAuth, ['chatgpt.com']],
    ],
  );
  const fal = r.provider('fal')!.credentialAlternatives[0]!;
  assert.deepEqual([fal.auth, fal.hosts, fal.upstreamPathPrefix], [{ header: { header_name: 'authorization', value_template: 'Key {{secret}}' } }, ['queue.fal.run'], undefined]);
});
