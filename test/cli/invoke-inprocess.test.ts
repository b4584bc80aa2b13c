// Invocation pre-checks and the in-process path (AIVAULTD_DISABLE), against a temp vault (cli.md §7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './_helpers/fake-io.js';

async function withVault(fn: (env: Record<string, string>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-inv-'));
  try {
    await fn({ AIVAULT_DIR: dir, AIVAULTD_DISABLE: '1' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('pre-checks run in the contract order', async () => {
  const a = await run(['json', 'openai/models', '--stream', '--group-id', 'g']);
  assert.equal(a.stderr, '--stream is only supported with raw `aivault invoke` output\n');
  const b = await run(['invoke', 'openai/models', '--group-id', 'g', '--request', '{', '--request-file', 'x']);
  assert.equal(b.stderr, '--workspace-id is required when --group-id is provided\n');
  const c = await run(['invoke', 'openai/models', '--request', '{}', '--request-file', 'x', '--client-ip', 'nope']);
  assert.equal(c.stderr, 'provide only one of --request or --request-file\n');
  const d = await run(['invoke', 'openai/models', '--request', '{}', '--method', 'GET']);
  assert.equal(d.stderr, 'do not mix --request/--request-file with manual request flags\n');
  const e = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models', '--client-ip', '10.0.0.300']);
  assert.equal(e.stderr, 'invalid --client-ip\n');
  const f = await run(['invoke', 'openai/models', '--timeout-ms', 'soon']);
  assert.equal(f.code, 2);
  // A bad number is a command-line (usage) error: it wins over every runtime pre-check.
  const g = await run(['json', 'openai/models', '--stream', '--group-id', 'g', '--timeout-ms', '-5']);
  assert.equal(g.code, 2);
  assert.match(g.stderr, /^error: invalid value '-5' for '--timeout-ms'/);
  assert.equal(g.stdout, '');
});

test('operator invocations load the vault first (auto-init), even when a pre-check then fails', async () => {
  await withVault(async (env) => {
    const op = await run(['capability', 'json', 'openai/models', '--stream'], { env });
    assert.equal(op.stderr, '--stream is only supported with raw `aivault invoke` output\n');
    assert.ok(existsSync(join(env['AIVAULT_DIR']!, 'vault.json')), 'capability json auto-initialised the vault');
  });
  await withVault(async (env) => {
    const top = await run(['json', 'openai/models', '--stream'], { env });
    assert.equal(top.code, 1);
    assert.ok(!existsSync(join(env['AIVAULT_DIR']!, 'vault.json')), 'top-level json is a client command: no vault before the pre-checks');
  });
});

test('AIVAULTD_DISABLE refuses streaming with the command-specific message', async () => {
  await withVault(async (env) => {
    const top = await run(['invoke', 'openai/models', '--stream'], { env });
    assert.equal(top.stderr, '--stream requires aivaultd; AIVAULTD_DISABLE cannot be used for streaming\n');
    const op = await run(['capability', 'invoke', 'openai/models', '--stream'], { env });
    assert.equal(op.stderr, 'streaming invoke requires aivaultd; AIVAULTD_DISABLE is set\n');
  });
});

test('in-process invocations reach the broker: its errors are printed as <Code>: <message>', async () => {
  await withVault(async (env) => {
    const unknown = await run(['invoke', 'acme/unknown', '--method', 'GET', '--path', '/x'], { env });
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'CapabilityNotFound: capability not found\n');
    const noCred = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models'], { env });
    assert.equal(noCred.stderr, 'CredentialNotFound: no credential for capability provider\n');
    await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', 'sk-inproc-secret'], { env });
    const badPath = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v2/other'], { env });
    assert.equal(badPath.stderr, 'PolicyViolation: path not allowed by capability\n');
    const auth = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models', '--header', 'Authorization: Bearer x'], { env });
    assert.equal(auth.stderr, 'PolicyViolation: caller-supplied auth headers are not allowed\n');
    const remote = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models', '--client-ip', '8.8.8.8'], { env });
    assert.equal(remote.stderr, 'PolicyViolation: non-loopback clients are rejected by default\n');
    for (const r of [badPath, auth, remote]) assert.ok(!r.stderr.includes('sk-inproc-secret'));
  });
});

test('thin path: an unknown capability without --method/--path is "not available locally"; with AIVAULTD_SOCKET it is final', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-thin-'));
  try {
    const r = await run(['invoke', 'acme/custom'], { env: { AIVAULT_DIR: dir, AIVAULTD_AUTOSTART: '0' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--method is required \(capability policy not available locally\)\n\(thin client daemon attempt failed first: capability 'acme\/custom' is not available locally; pass --method\/--path or use --request\/--request-file\)\n$/);
    const s = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models'], { env: { AIVAULT_DIR: dir, AIVAULTD_SOCKET: join(dir, 'none.sock') } });
    assert.equal(s.stderr, `failed connecting to aivaultd at '${join(dir, 'none.sock')}': No such file or directory (os error 2)\n`);
    assert.equal(s.code, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('local path with autostart disabled says so, and notes the thin failure', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-noauto-'));
  try {
    const r = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models'], { env: { AIVAULT_DIR: dir, AIVAULTD_AUTOSTART: 'no' } });
    const sock = join(dir, 'run/aivaultd.sock');
    assert.equal(r.stderr, `aivaultd not running at '${sock}' (autostart disabled)\n(thin client daemon attempt failed first: failed connecting to aivaultd at '${sock}': No such file or directory (os error 2))\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('in-process invocations on a passphrase vault unlock with AIVAULT_PASSPHRASE, and only with the right one', async () => {
  await withVault(async (env) => {
    const init = await run(['init', '--provider', 'passphrase', '--passphrase', 'correct horse'], { env });
    assert.equal(init.code, 0, init.stderr);
    const unlocked = { ...env, AIVAULT_PASSPHRASE: 'correct horse' };
    assert.equal((await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', 'sk-pass-secret'], { env: unlocked })).code, 0);
    const ok = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v2/other'], { env: unlocked });
    assert.equal(ok.stderr, 'PolicyViolation: path not allowed by capability\n');
    const wrong = await run(['invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models'], { env: { ...env, AIVAULT_PASSPHRASE: 'wrong' } });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, 'vault provider misconfigured: invalid passphrase\n');
  });
});

test('unreadable --request-file names the OS reason as the original does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-reqfile-'));
  try {
    const isDir = await run(['invoke', 'openai/models', '--request-file', dir]);
    assert.equal(isDir.stderr, `failed to read --request-file '${dir}': Is a directory (os error 21)\n`);
    const long = `/${'x'.repeat(300)}`;
    const tooLong = await run(['invoke', 'openai/models', '--request-file', long]);
    assert.equal(tooLong.stderr, `failed to read --request-file '${long}': File name too long (os error 36)\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
