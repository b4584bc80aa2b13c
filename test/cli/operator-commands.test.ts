// credential / capability / oauth / provider commands in-process (cli.md §5, §6, §9, §10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

async function withVault(fn: (env: Record<string, string>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-op-'));
  try {
    await fn({ AIVAULT_DIR: dir, AIVAULTD_SOCKET: join(dir, 'none.sock') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a fresh vault lists 283 capabilities, correctly pluralised; verbose JSON groups', async () => {
  await withVault(async (env) => {
    const r = await run(['capability', 'list'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Available \(needs credential\)\n {2}airtable\n {4}airtable\/meta\n/);
    assert.match(r.stdout, /\n {4}Setup: aivault secrets create --name TRELLO_API_KEY --value "\.\.\." --scope global && aivault secrets create --name TRELLO_TOKEN/);
    assert.match(r.stdout, /\n\n283 capabilities\nUse --verbose for full JSON, or `aivault capability describe <id>` to inspect one\.\n$/);
    assert.ok(!r.stdout.includes('Ready (credential configured)'), 'empty groups are not printed');
    const v = JSON.parse((await run(['capability', 'list', '-v'], { env })).stdout);
    assert.deepEqual(Object.keys(v), ['capabilities', 'registryCapabilities', 'policies', 'path']);
    assert.equal(v.registryCapabilities.length, 283);
  });
});

test('an OpenAI key makes its capabilities ready; credential list shows the derived credential', async () => {
  await withVault(async (env) => {
    await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', 'sk-x'], { env });
    const caps = await run(['capability', 'list'], { env });
    assert.match(caps.stdout, /\n\nReady \(credential configured\)\n {2}openai\//);
    const creds = await run(['credential', 'list'], { env });
    assert.match(creds.stdout, /^Credentials\n {2}openai\n {6}Provider: openai\n {6}Auth: header\n {6}Hosts: api\.openai\.com\n\n1 credential\nUse --verbose for full JSON detail\.\n$/);
    assert.ok(!creds.stdout.includes('sk-x'));
    const v = JSON.parse((await run(['credential', 'list', '-v'], { env })).stdout);
    assert.equal(v.credentials[0].id, 'openai');
    assert.ok(v.path.endsWith('broker.json'));
  });
});

test('credential create / delete and their messages', async () => {
  await withVault(async (env) => {
    const secret = JSON.parse((await run(['secrets', 'create', '--name', 'ACME_KEY', '--value', 'k'], { env })).stdout);
    const ref = `vault:secret:${secret.secretId}`;
    const noAuth = await run(['credential', 'create', 'acme', '--provider', 'acme', '--secret-ref', ref, '--host', 'api.acme.example'], { env });
    assert.equal(noAuth.stderr, '--auth is required when provider is not in built-in registry\n');
    const badEnum = await run(['credential', 'create', 'acme', '--provider', 'acme', '--secret-ref', ref, '--auth', 'Header'], { env });
    assert.equal(badEnum.code, 2);
    const ok = await run(['credential', 'create', 'acme', '--provider', 'acme', '--secret-ref', ref, '--auth', 'header', '--header-name', 'x-api-key', '--value-template', '{{secret}}', '--host', 'api.acme.example'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).auth, { header: { header_name: 'x-api-key', value_template: '{{secret}}' } });
    const dup = await run(['credential', 'create', 'acme', '--provider', 'acme', '--secret-ref', ref, '--auth', 'basic', '--host', 'api.acme.example'], { env });
    assert.equal(dup.stderr, "credential 'acme' already exists\n");
    const grp = await run(['credential', 'create', 'x', '--provider', 'acme', '--secret-ref', ref, '--auth', 'basic', '--host', 'h.example', '--group-id', 'g'], { env });
    assert.equal(grp.stderr, '--workspace-id is required when --group-id is provided\n');
    assert.deepEqual(JSON.parse((await run(['credential', 'delete', ' acme '], { env })).stdout), { removed: true, id: 'acme' });
    assert.deepEqual(JSON.parse((await run(['credential', 'delete', 'acme'], { env })).stdout), { removed: false, id: 'acme' });
  });
});

test('credential create --auth hmac takes --hmac-algorithm and --hmac-encoding; other values are refused (Decision 18)', async () => {
  await withVault(async (env) => {
    const secret = JSON.parse((await run(['secrets', 'create', '--name', 'SIGN_KEY', '--value', 'k'], { env })).stdout);
    const base = ['credential', 'create', 'signer', '--provider', 'signer', '--secret-ref', `vault:secret:${secret.secretId}`, '--auth', 'hmac', '--host', 'api.signer.example'];
    const ok = await run([...base, '--hmac-algorithm', 'sha512', '--hmac-encoding', 'base64', '--header-name', 'x-sig', '--value-template', '{{signature}}'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).auth, { hmac: { algorithm: 'sha512', header_name: 'x-sig', value_template: '{{signature}}', encoding: 'base64' } });
    const badEncoding = await run(['credential', 'create', 'signer2', ...base.slice(3), '--hmac-encoding', 'hex2'], { env });
    assert.equal(badEncoding.code, 2);
    assert.match(badEncoding.stderr, /hmac-encoding/);
    const badAlgorithm = await run(['credential', 'create', 'signer3', ...base.slice(3), '--hmac-algorithm', 'md5'], { env });
    assert.notEqual(badAlgorithm.code, 0);
    assert.match(badAlgorithm.stderr, /unsupported hmac algorithm 'md5'/);
  });
});

test('capability create / policy set / describe / delete', async () => {
  await withVault(async (env) => {
    const missing = await run(['capability', 'create', 'acme/x', '--provider', 'acme', '--path', '/v1', '--host', 'api.acme.example'], { env });
    assert.equal(missing.stderr, 'at least one --method is required\n');
    const c = await run(['capability', 'create', 'acme/x', '--provider', 'acme', '--method', 'GET', '--path', '/v1', '--host', 'api.acme.example'], { env });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(JSON.parse(c.stdout), { id: 'acme/x', provider: 'acme', allow: { hosts: ['api.acme.example'], methods: ['GET'], pathPrefixes: ['/v1'] } });
    assert.match((await run(['capability', 'list'], { env })).stdout, /\n\n284 capabilities\n/, 'the count is registry plus custom (Decision 16)');
    const p = await run(['capability', 'policy', 'set', '--capability', 'acme/x', '--rate-limit-per-minute', '5', '--response-block', 'secret'], { env });
    assert.deepEqual(JSON.parse(p.stdout), { capabilityId: 'acme/x', policy: { rateLimitPerMinute: 5, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: ['secret'] } });
    const badNum = await run(['capability', 'policy', 'set', '--capability', 'acme/x', '--rate-limit-per-minute', '-1'], { env });
    assert.equal(badNum.code, 2);
    const d = JSON.parse((await run(['capability', 'inspect', 'openai/transcription'], { env })).stdout);
    assert.equal(d.capability, 'openai/transcription');
    assert.deepEqual(d.call.defaults, { method: 'POST', path: '/v1/audio/transcriptions' });
    const nf = await run(['capability', 'describe', 'nope/nope'], { env });
    assert.equal(nf.code, 1);
    assert.match(nf.stderr, /capability 'nope\/nope' not found/);
    assert.deepEqual(JSON.parse((await run(['capability', 'delete', 'acme/x'], { env })).stdout), { removedCapability: true, removedPolicy: true, id: 'acme/x' });
  });
});

test('capability bind / bindings / unbind', async () => {
  await withVault(async (env) => {
    const s = JSON.parse((await run(['secrets', 'create', '--name', 'ANY', '--value', 'v'], { env })).stdout);
    const ref = `vault:secret:${s.secretId}`;
    const none = await run(['capability', 'bindings'], { env });
    assert.equal(none.stdout, 'No capability bindings found.\n');
    const b = await run(['capability', 'bind', '--capability', 'openai/transcription', '--secret-ref', ref, '--scope', 'workspace', '--workspace-id', 'acme', '--consumer', 'worker-a'], { env });
    assert.equal(b.code, 0, b.stderr);
    const list = await run(['capability', 'bindings'], { env });
    assert.equal(list.stdout, `Capability bindings\n  openai/transcription -> ${ref}\n      Scope: workspace:acme\n      Consumer: worker-a\n\n1 binding\nUse --verbose for full JSON detail.\n`);
    const u = JSON.parse((await run(['capability', 'unbind', '--capability', 'openai/transcription', '--scope', 'workspace', '--workspace-id', 'acme', '--consumer', 'worker-a'], { env })).stdout);
    assert.equal(u.removed, true);
  });
});

test('oauth setup builds the consent URL; provider list is the empty catalogue', async () => {
  await withVault(async (env) => {
    const r = await run(
      ['oauth', 'setup', '--provider', 'google', '--auth-url', 'https://accounts.example.com/oauth2/v2/auth', '--client-id', 'client-123', '--redirect-uri', 'http://127.0.0.1:8080/callback', '--scope', 'gmail.readonly', '--scope', 'calendar.readonly', '--state', 'state-xyz'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      JSON.parse(r.stdout).consentUrl,
      'https://accounts.example.com/oauth2/v2/auth?response_type=code&client_id=client-123&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback&scope=gmail.readonly%20calendar.readonly&state=state-xyz',
    );
    const bad = await run(['oauth', 'setup', '--provider', ' ', '--auth-url', 'u', '--client-id', 'c', '--redirect-uri', 'r'], { env });
    assert.equal(bad.stderr, 'provider, auth_url, client_id, and redirect_uri are required\n');
    assert.deepEqual(JSON.parse((await run(['provider', 'list'], { env })).stdout), { providers: [] });
    assert.ok(JSON.parse((await run(['provider', 'list', '-v'], { env })).stdout).path.endsWith('/providers'));
  });
});

test('flags the original declares required are usage errors when missing (exit 2), operator errors when blank (exit 1)', async () => {
  await withVault(async (env) => {
    const cases: Array<[string[], string]> = [
      [['credential', 'create', 'c', '--secret-ref', 'vault:secret:x', '--auth', 'header', '--host', 'h.example'], '--provider <PROVIDER>'],
      [['credential', 'create', 'c', '--provider', 'acme', '--auth', 'header', '--host', 'h.example'], '--secret-ref <SECRET_REF>'],
      [['capability', 'policy', 'set', '--rate-limit-per-minute', '5'], '--capability <CAPABILITY>'],
      [['oauth', 'setup', '--provider', 'g', '--client-id', 'c', '--redirect-uri', 'r'], '--auth-url <AUTH_URL>'],
    ];
    for (const [argv, flag] of cases) {
      const r = await run(argv, { env });
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.includes(flag), r.stderr);
    }
    const blankProvider = await run(['credential', 'create', 'c', '--provider', ' ', '--secret-ref', 'vault:secret:x'], { env });
    assert.deepEqual([blankProvider.code, blankProvider.stderr], [1, 'credential provider is required\n']);
    const blankCap = await run(['capability', 'policy', 'set', '--capability', ' '], { env });
    assert.deepEqual([blankCap.code, blankCap.stderr], [1, '--capability is required\n']);
    const blankOauth = await run(['oauth', 'setup', '--provider', ' ', '--auth-url', 'u', '--client-id', 'c', '--redirect-uri', 'r'], { env });
    assert.deepEqual([blankOauth.code, blankOauth.stderr], [1, 'provider, auth_url, client_id, and redirect_uri are required\n']);
  });
});

test('secrets create: a provisioning failure exits 1 after the Secret created line; the secret stays created and pinned', async () => {
  await withVault(async (env) => {
    const file = join(env.AIVAULT_DIR!, 'not-utf8.bin');
    await writeFile(file, new Uint8Array([0xff, 0xfe]));
    const first = await run(['secrets', 'create', '--name', 'TRELLO_API_KEY', '--value-file', file], { env });
    assert.equal(first.stderr, 'Secret created: TRELLO_API_KEY (pinned to provider: trello)\nWaiting for TRELLO_TOKEN to complete trello credential\n');
    const second = await run(['secrets', 'create', '--name', 'TRELLO_TOKEN', '--value', 't'], { env });
    assert.equal(second.code, 1);
    assert.equal(second.stdout, '');
    assert.equal(second.stderr, "Secret created: TRELLO_TOKEN (pinned to provider: trello)\nsecret 'TRELLO_API_KEY' must be utf-8 for composite auth\n");
    const listed = JSON.parse((await run(['secrets', 'list', '-v'], { env })).stdout) as Array<{ name: string; pinnedProvider?: string }>;
    assert.equal(listed.find((s) => s.name === 'TRELLO_TOKEN')?.pinnedProvider, 'trello');
  });
});
