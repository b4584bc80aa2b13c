// End to end through the built CLI: a real loopback HTTPS upstream (throwaway CA) stands in for
// api.openai.com. Proves the key arrives upstream and never reaches stdout, stderr or the audit
// log — in-process (AIVAULTD_DISABLE=1) and through an autostarted --once daemon. Issue 4/5.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHttpsUpstream, type HttpsUpstream } from '../fakes/https-upstream.js';
import { spawnCapture } from '../fakes/spawn-capture.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEV_BIN = join(ROOT, '.tmp/dist-dev/bin/aivault.cjs');
const RELEASE_BIN = join(ROOT, '.tmp/dist-release/bin/aivault.cjs');
const KEY = 'sk-e2e-4f1c9a7d2b8e6053';

function runBin(bin: string, args: string[], env: Record<string, string>, stdin?: string) {
  const base = { PATH: process.env['PATH'] ?? '', HOME: env['AIVAULT_DIR'] ?? '/nonexistent' };
  return spawnCapture(process.execPath, [bin, ...args], { env: { ...base, ...env }, ...(stdin === undefined ? {} : { stdin }) });
}

let upstream: HttpsUpstream;
let dir: string;
let env: Record<string, string>;

before(async () => {
  upstream = await startHttpsUpstream({
    hostnames: ['api.openai.com'],
    handler: (req) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ echo: req.bodyText, path: req.path }) }),
  });
  dir = await mkdtemp(join(tmpdir(), 'aivault-e2e-'));
  env = { AIVAULT_DIR: dir, ...upstream.devEnv() };
  const created = await runBin(DEV_BIN, ['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', '-'], env, KEY);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stderr, /Secret created: OPENAI_API_KEY \(pinned to provider: openai\)/);
  assert.match(created.stderr, /Credential auto-provisioned: openai \(20 capabilities enabled\)/);
});

after(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

async function auditText(): Promise<string> {
  const files = await readdir(join(dir, 'audit'));
  return (await Promise.all(files.map((f) => readFile(join(dir, 'audit', f), 'utf8')))).join('');
}

function assertNoKey(...texts: string[]): void {
  for (const text of texts) assert.ok(!text.includes(KEY), 'the key leaked into output');
}

test('AIVAULTD_DISABLE=1 invoke injects the key upstream and prints only the body', async () => {
  const before = upstream.requests.length;
  const ran = await runBin(DEV_BIN, ['invoke', 'openai/chat-completions', '--method', 'POST', '--body', '{"model":"m"}'], { ...env, AIVAULTD_DISABLE: '1' });
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(JSON.parse(ran.stdout), { echo: '{"model":"m"}', path: '/v1/chat/completions' });
  const seen = upstream.requests[before]!;
  assert.equal(seen.headers['authorization'], `Bearer ${KEY}`);
  assert.equal(seen.servername, 'api.openai.com');
  assertNoKey(ran.stdout, ran.stderr, await auditText());
  assert.match(await auditText(), /"kind":"capability.invoked".*"outcome":"ok"/);
});

test('json output carries the planned summary with the safe URL', async () => {
  const ran = await runBin(DEV_BIN, ['json', 'openai/models', '--method', 'GET', '--path', '/v1/models?limit=2'], { ...env, AIVAULTD_DISABLE: '1' });
  assert.equal(ran.code, 0, ran.stderr);
  const out = JSON.parse(ran.stdout);
  assert.equal(out.planned.url, 'https://api.openai.com/v1/models?limit=2');
  assert.equal(out.response.status, 200);
  assertNoKey(ran.stdout, ran.stderr);
});

test('invoke autostarts a --once daemon for the AIVAULT_DIR vault and gets the same answer', async () => {
  const before = upstream.requests.length;
  const ran = await runBin(DEV_BIN, ['invoke', 'openai/chat-completions', '--method', 'POST', '--body', '{"via":"daemon"}'], env);
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(JSON.parse(ran.stdout), { echo: '{"via":"daemon"}', path: '/v1/chat/completions' });
  assert.equal(upstream.requests[before]!.headers['authorization'], `Bearer ${KEY}`);
  assertNoKey(ran.stdout, ran.stderr, await auditText());
  assert.match(await auditText(), /"transport":"socket"/);
});

test('the release build refuses dev overrides with the fail-closed message (Decision 13)', async () => {
  const ran = await runBin(RELEASE_BIN, ['invoke', 'openai/chat-completions', '--method', 'POST', '--body', '{}'], { ...env, AIVAULTD_DISABLE: '1' });
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /^AIVAULT_DEV_(RESOLVE|CA_CERT_PATH) is disabled in release builds; unset it or use a debug build\n$/);
  assertNoKey(ran.stdout, ran.stderr);
});
