// Vault lifecycle and secrets commands in-process against a real temp AIVAULT_DIR (cli.md §3-§4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

async function tempVault(): Promise<{ dir: string; env: Record<string, string>; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-cli-'));
  return { dir, env: { AIVAULT_DIR: dir, AIVAULTD_SOCKET: join(dir, 'none.sock') }, done: () => rm(dir, { recursive: true, force: true }) };
}

test('status auto-initialises a file vault and prints the human layout; -v prints JSON', async () => {
  const v = await tempVault();
  try {
    const r = await run(['status'], { env: v.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Vault\n {2}Status: unlocked\n {2}Provider: Key file\n {2}KEK identifier: [0-9a-f]{64}\n\nPaths\n {2}Root: /);
    const j = JSON.parse((await run(['status', '-v'], { env: v.env })).stdout);
    assert.equal(j.status.providerType, 'file');
    assert.equal(j.paths.configPath, join(v.dir, 'vault.json'));
    assert.ok(!JSON.stringify(j).includes('"kek"'), 'only the fingerprint');
  } finally {
    await v.done();
  }
});

test('init on an existing vault with another provider points at rotate-master', async () => {
  const v = await tempVault();
  try {
    const a = await run(['init'], { env: v.env });
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(Object.keys(JSON.parse(a.stdout)), ['enabled', 'providerType', 'locked', 'kekId']);
    const b = await run(['init', '--provider', 'env'], { env: v.env });
    assert.equal(b.code, 1);
    assert.equal(b.stderr, "vault already initialised with provider 'file'; use aivault rotate-master to change it\n");
    const noPassphrase = await run(['init', '--provider', 'passphrase'], { env: v.env });
    assert.equal(noPassphrase.code, 1);
    assert.equal(noPassphrase.stderr, "vault already initialised with provider 'file'; use aivault rotate-master to change it\n", 'the pointer, not a passphrase demand');
    const c = await run(['init', '--provider', 'passphrase'], { env: { ...v.env, AIVAULT_DIR: join(v.dir, 'p') } });
    assert.equal(c.code, 1);
    assert.equal(c.stderr, '--passphrase is required for --provider passphrase\n');
  } finally {
    await v.done();
  }
});

test('secrets create: exactly one value source, stdin with "-", provisioning lines on stderr', async () => {
  const v = await tempVault();
  try {
    const both = await run(['secrets', 'create', '--name', 'A', '--value', 'x', '--value-file', 'f'], { env: v.env });
    assert.equal(both.stderr, 'provide either --value or --value-file, not both\n');
    const none = await run(['secrets', 'create', '--name', 'A'], { env: v.env });
    assert.equal(none.stderr, 'provide --value or --value-file\n');
    const missing = await run(['secrets', 'create', '--name', 'A', '--value-file', 'nope.txt'], { env: v.env, cwd: v.dir });
    assert.equal(missing.stderr, "failed to read secret value file 'nope.txt': No such file or directory (os error 2)\n");
    const noName = await run(['secrets', 'create', '--value', 'x'], { env: v.env });
    assert.equal(noName.code, 2, 'a missing required flag is a usage error');

    const r = await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', '-'], { env: v.env, stdin: 'sk-from-stdin\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Secret created: OPENAI_API_KEY (pinned to provider: openai)\nCredential auto-provisioned: openai (20 capabilities enabled)\n');
    const meta = JSON.parse(r.stdout);
    assert.equal(meta.pinnedProvider, 'openai', 'post-pinning metadata');
    assert.ok(!r.stdout.includes('sk-from-stdin') && !r.stderr.includes('sk-from-stdin'), 'the value is never printed');

    await writeFile(join(v.dir, 'v.txt'), 'file-value\n');
    const f = await run(['secrets', 'create', '--name', 'PLAIN', '--value-file', 'v.txt', '--scope', 'workspace', '--workspace-id', ' acme '], { env: v.env, cwd: v.dir });
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stderr, '', 'unclaimed names print nothing');
    assert.deepEqual(JSON.parse(f.stdout).scope, { workspace: { workspace_id: 'acme' } });
  } finally {
    await v.done();
  }
});

test('secrets list: human layout, filters, verbose JSON, revoked entries', async () => {
  const v = await tempVault();
  try {
    const empty = await run(['secrets', 'list'], { env: v.env });
    assert.equal(empty.stdout, 'No secrets found.\n');
    const a = JSON.parse((await run(['secrets', 'create', '--name', 'B_KEY', '--value', 'x', '--alias', 'b', '--alias', 'a'], { env: v.env })).stdout);
    await run(['secrets', 'create', '--name', 'A_KEY', '--value', 'y', '--scope', 'group', '--workspace-id', 'w', '--group-id', 'g'], { env: v.env });
    await run(['secrets', 'delete', '--id', a.secretId], { env: v.env });
    const list = await run(['secrets', 'list'], { env: v.env });
    assert.match(list.stdout, /^Secrets\n {2}A_KEY\n {6}ID: .+\n {6}Scope: group:w:g\n\n {2}B_KEY\n {6}ID: .+\n {6}Scope: global\n {6}Aliases: a, b\n {4}REVOKED\n\n2 secrets\nUse --verbose for full JSON detail.\n$/);
    const global = JSON.parse((await run(['secrets', 'list', '--scope', 'global', '-v'], { env: v.env })).stdout);
    assert.deepEqual(global.map((s: { name: string }) => s.name), ['B_KEY']);
    const noWs = JSON.parse((await run(['secrets', 'list', '--scope', 'workspace', '-v'], { env: v.env })).stdout);
    assert.deepEqual(noWs, [], 'a missing id matches nothing');
  } finally {
    await v.done();
  }
});

test('secrets update / rotate / delete / attach-group and the scope messages', async () => {
  const v = await tempVault();
  try {
    const s = JSON.parse((await run(['secrets', 'create', '--name', 'X', '--value', 'v1', '--alias', 'old'], { env: v.env })).stdout);
    const u = JSON.parse((await run(['secrets', 'update', '--id', s.secretId, '--alias', 'n1', '--clear-aliases'], { env: v.env })).stdout);
    assert.deepEqual(u.aliases, [], '--clear-aliases wins');
    const r = JSON.parse((await run(['secrets', 'rotate', '--id', s.secretId, '--value', 'v2'], { env: v.env })).stdout);
    assert.ok(r.valueVersion >= 2);
    const g = JSON.parse((await run(['secrets', 'attach-group', '--id', s.secretId, '--workspace-id', 'w', '--group-id', 'g'], { env: v.env })).stdout);
    assert.deepEqual(g.attachedGroups, [{ workspaceId: 'w', groupId: 'g' }]);
    const d = JSON.parse((await run(['secrets', 'delete', '--id', s.secretId], { env: v.env })).stdout);
    assert.equal(typeof d.revokedAtMs, 'number');
    const again = await run(['secrets', 'rotate', '--id', s.secretId, '--value', 'v3'], { env: v.env });
    assert.equal(again.stderr, 'secret revoked\n');
    const bad = await run(['secrets', 'delete', '--id', '../etc/passwd'], { env: v.env });
    assert.equal(bad.stderr, 'secret not found\n');
    const ws = await run(['secrets', 'create', '--name', 'Y', '--value', 'v', '--scope', 'workspace'], { env: v.env });
    assert.equal(ws.stderr, '--workspace-id is required\n');
    const grp = await run(['secrets', 'create', '--name', 'Y', '--value', 'v', '--scope', 'group', '--workspace-id', 'w'], { env: v.env });
    assert.equal(grp.stderr, '--group-id is required\n');
  } finally {
    await v.done();
  }
});

test('secrets import: sorted keys, created / rotated / skipped, bad entries', async () => {
  const v = await tempVault();
  try {
    await run(['secrets', 'create', '--name', 'B', '--value', 'old'], { env: v.env });
    const r = await run(['secrets', 'import', '--entry', 'C=', '--entry', 'B=new', '--entry', 'A=1', '--entry', 'A=2'], { env: v.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { created: ['A'], rotated: ['B'], skipped: ['C'] });
    const bad = await run(['secrets', 'import', '--entry', 'oops'], { env: v.env });
    assert.equal(bad.stderr, "invalid --entry 'oops'; expected KEY=VALUE\n");
    const blank = await run(['secrets', 'import', '--entry', ' =x'], { env: v.env });
    assert.equal(blank.stderr, 'entry key cannot be empty\n');
  } finally {
    await v.done();
  }
});

test('audit: newest first, --limit, JSON array', async () => {
  const v = await tempVault();
  try {
    await run(['secrets', 'create', '--name', 'Z', '--value', 'v'], { env: v.env });
    const events = JSON.parse((await run(['audit', '--limit', '1'], { env: v.env })).stdout);
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'secret.create');
  } finally {
    await v.done();
  }
});

test('secrets import (Decisions 6, 16): a deleted name is created anew, scope must match exactly, system-managed and clashing entries are skipped', async () => {
  const v = await tempVault();
  try {
    const gone = JSON.parse((await run(['secrets', 'create', '--name', 'GONE', '--value', 'old'], { env: v.env })).stdout);
    await run(['secrets', 'delete', '--id', gone.secretId], { env: v.env });
    const ws = JSON.parse((await run(['secrets', 'create', '--name', 'WS', '--value', 'w', '--scope', 'workspace', '--workspace-id', 'acme'], { env: v.env })).stdout);
    await run(['secrets', 'create', '--name', 'OWNER', '--value', 'o', '--alias', 'CLASH'], { env: v.env });
    await run(['secrets', 'create', '--name', 'TRELLO_API_KEY', '--value', 'k'], { env: v.env });
    await run(['secrets', 'create', '--name', 'TRELLO_TOKEN', '--value', 't'], { env: v.env });
    const composite = '__aivault_registry:trello:global';

    const r = await run(['secrets', 'import', '--entry', 'GONE=new', '--entry', 'WS=global-one', '--entry', 'CLASH=x', '--entry', `${composite}=x`], { env: v.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { created: ['GONE', 'WS'], rotated: [], skipped: ['CLASH', composite] });
    const all = JSON.parse((await run(['secrets', 'list', '-v'], { env: v.env })).stdout) as Array<{ secretId: string; name: string; revokedAtMs: number | null; scope: unknown; valueVersion: number; systemManaged: boolean }>;
    const named = (name: string) => all.filter((s) => s.name === name);
    assert.equal(named('GONE').length, 2, 'the revoked record stays; a new one is created');
    assert.ok(named('GONE').some((s) => s.secretId !== gone.secretId && s.revokedAtMs === null));
    assert.equal(named('WS').find((s) => s.secretId === ws.secretId)?.valueVersion, 1, 'a workspace secret is not rotated by a global import');
    assert.equal(named(composite)[0]?.valueVersion, 1, 'system-managed: not rotated');

    const inWs = await run(['secrets', 'import', '--scope', 'workspace', '--workspace-id', ' acme ', '--entry', 'WS=w2'], { env: v.env });
    assert.deepEqual(JSON.parse(inWs.stdout), { created: [], rotated: ['WS'], skipped: [] });
  } finally {
    await v.done();
  }
});

test('operator commands refuse system-managed secrets (Decision 6/18)', async () => {
  const v = await tempVault();
  try {
    await run(['secrets', 'create', '--name', 'TRELLO_API_KEY', '--value', 'k'], { env: v.env });
    await run(['secrets', 'create', '--name', 'TRELLO_TOKEN', '--value', 't'], { env: v.env });
    const list = JSON.parse((await run(['secrets', 'list', '-v'], { env: v.env })).stdout) as Array<{ secretId: string; systemManaged: boolean }>;
    const id = list.find((s) => s.systemManaged)!.secretId;
    for (const argv of [['update', '--id', id, '--name', 'X'], ['rotate', '--id', id, '--value', 'v'], ['delete', '--id', id]]) {
      const r = await run(['secrets', ...argv], { env: v.env });
      assert.equal(r.code, 1, argv[0]);
      assert.equal(r.stderr, `secret '${id}' is system-managed\n`);
      assert.equal(r.stdout, '');
    }
  } finally {
    await v.done();
  }
});

test('audit: --before-ts-ms filters (ignored unless > 0), --limit 0 still returns one event, events carry only their keys', async () => {
  const v = await tempVault();
  try {
    await run(['secrets', 'create', '--name', 'A', '--value', 'v'], { env: v.env });
    await run(['secrets', 'create', '--name', 'B', '--value', 'v'], { env: v.env });
    const all = JSON.parse((await run(['audit'], { env: v.env })).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(all.map((e) => e['kind']), ['secret.create', 'secret.create', 'vault.init'], 'newest first');
    assert.deepEqual(Object.keys(all[0]!), ['tsMs', 'kind', 'secretId', 'scope', 'actor']);
    assert.deepEqual(all[2], { tsMs: all[2]!['tsMs'], kind: 'vault.init', actor: 'operator' });
    const zero = JSON.parse((await run(['audit', '--limit', '0'], { env: v.env })).stdout);
    assert.equal(zero.length, 1, 'the original stops after appending');
    for (const ignored of ['0', '-5']) {
      assert.equal(JSON.parse((await run(['audit', '--before-ts-ms', ignored], { env: v.env })).stdout).length, 3, ignored);
    }
    const before = JSON.parse((await run(['audit', '--before-ts-ms', String(all[0]!['tsMs'])], { env: v.env })).stdout) as Array<{ tsMs: number }>;
    assert.ok(before.length >= 1 && before.every((e) => e.tsMs < (all[0]!['tsMs'] as number)));
    const bad = await run(['audit', '--limit', '-1'], { env: v.env });
    assert.equal(bad.code, 2, 'usize');
  } finally {
    await v.done();
  }
});

test('rotate-master: errors, status JSON, the new key written to the key file (Decision 5)', async () => {
  const v = await tempVault();
  try {
    await run(['secrets', 'create', '--name', 'A', '--value', 'v'], { env: v.env });
    const none = await run(['rotate-master'], { env: v.env });
    assert.deepEqual([none.code, none.stderr], [1, 'new_key required for env/file provider rotation\n']);
    const bad = await run(['rotate-master', '--new-key', 'short'], { env: v.env });
    assert.deepEqual([bad.code, bad.stderr], [1, 'vault provider misconfigured: invalid vault key (expected base64 or 64-char hex for 32 bytes)\n']);
    const key = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    const ok = await run(['rotate-master', '--new-key', key], { env: v.env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { enabled: true, providerType: 'file', locked: false, kekId: '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd' });
    assert.equal(await readFile(join(v.dir, 'kek.key'), 'utf8'), key);
    const events = JSON.parse((await run(['audit', '--limit', '1'], { env: v.env })).stdout);
    assert.equal(events[0].kind, 'vault.rotate_master_key');

    const pass = await run(['rotate-master', '--new-passphrase', 'pw'], { env: v.env });
    assert.equal(pass.code, 0, pass.stderr);
    assert.equal(JSON.parse(pass.stdout).providerType, 'passphrase');
    const locked = await run(['rotate-master', '--new-passphrase', 'pw2'], { env: v.env });
    assert.deepEqual([locked.code, locked.stderr], [1, 'vault locked\n'], 'a fresh process holds no key');
    const needs = await run(['rotate-master'], { env: { ...v.env, AIVAULT_PASSPHRASE: 'pw' } });
    assert.deepEqual([needs.code, needs.stderr], [1, 'new_passphrase required for passphrase rotation\n']);
  } finally {
    await v.done();
  }
});

test('unlock / lock / status without a daemon: non-passphrase vaults print status; a passphrase vault shows locked in a fresh process', async () => {
  const v = await tempVault();
  try {
    const unlock = await run(['unlock'], { env: v.env });
    assert.equal(unlock.code, 0, unlock.stderr);
    assert.deepEqual(Object.keys(JSON.parse(unlock.stdout)), ['enabled', 'providerType', 'locked', 'kekId']);
    assert.equal(JSON.parse(unlock.stdout).locked, false);
    const lock = await run(['lock'], { env: v.env });
    assert.equal(lock.code, 0, lock.stderr);
    assert.equal(JSON.parse(lock.stdout).locked, false, 'a file vault is never locked');
    assert.equal(JSON.parse((await run(['audit', '--limit', '1'], { env: v.env })).stdout)[0].kind, 'vault.lock');

    const p = { ...v.env, AIVAULT_DIR: join(v.dir, 'p') };
    const init = await run(['init', '--provider', 'passphrase', '--passphrase', 'pw'], { env: p });
    assert.equal(init.code, 0, init.stderr);
    assert.equal(JSON.parse(init.stdout).providerType, 'passphrase');
    const status = await run(['status'], { env: p });
    assert.match(status.stdout, /^Vault\n {2}Status: locked\n {2}Provider: Passphrase\n {2}KEK identifier: [0-9a-f]{64}\n/);
    assert.equal(JSON.parse((await run(['status', '-v'], { env: p })).stdout).status.locked, true);
    const create = await run(['secrets', 'create', '--name', 'A', '--value', 'v'], { env: p });
    assert.deepEqual([create.code, create.stderr], [1, 'vault locked\n']);
    const wrong = await run(['secrets', 'create', '--name', 'A', '--value', 'v'], { env: { ...p, AIVAULT_PASSPHRASE: 'nope' } });
    assert.deepEqual([wrong.code, wrong.stderr], [1, 'vault provider misconfigured: invalid passphrase\n']);
    const right = await run(['secrets', 'create', '--name', 'A', '--value', 'v'], { env: { ...p, AIVAULT_PASSPHRASE: 'pw' } });
    assert.equal(right.code, 0, right.stderr);
  } finally {
    await v.done();
  }
});

test('init creates the requested provider (Decision 3): env with its variable, file at an absolute --file-path', async () => {
  const v = await tempVault();
  try {
    const key = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
    const env = { ...v.env, AIVAULT_DIR: join(v.dir, 'e'), MY_KEY: key };
    const missing = await run(['init', '--provider', 'env', '--env-var', 'OTHER'], { env });
    assert.deepEqual([missing.code, missing.stderr], [1, 'vault provider misconfigured: missing env var OTHER\n']);
    const e = await run(['init', '--provider', 'env', '--env-var', 'MY_KEY'], { env });
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(JSON.parse(e.stdout), { enabled: true, providerType: 'env', locked: false, kekId: '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd' });
    assert.deepEqual(JSON.parse(await readFile(join(v.dir, 'e', 'vault.json'), 'utf8')).provider, { type: 'env', env_var: 'MY_KEY' });

    const f = await run(['init', '--provider', 'file', '--file-path', 'keys/k.key'], { env: { ...v.env, AIVAULT_DIR: join(v.dir, 'f') }, cwd: v.dir });
    assert.equal(f.code, 0, f.stderr);
    assert.deepEqual(JSON.parse(await readFile(join(v.dir, 'f', 'vault.json'), 'utf8')).provider, { type: 'file', path: join(v.dir, 'keys', 'k.key') });
    assert.match(await readFile(join(v.dir, 'keys', 'k.key'), 'utf8'), /^[A-Za-z0-9+/]{43}=$/, '44 chars of padded base64, no newline');
  } finally {
    await v.done();
  }
});
