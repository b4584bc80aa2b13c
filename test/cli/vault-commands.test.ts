// Vault lifecycle and secrets commands in-process against a real temp AIVAULT_DIR (cli.md §3-§4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
