// The README's examples run as written (STYLE.md rule 15): the quick-start shell block through the
// built CLI, and the library block through the sources, against a loopback mock of
// api.openai.com. Nothing reaches the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHttpsUpstream, type HttpsUpstream } from './fakes/https-upstream.js';
import { spawnCapture } from './fakes/spawn-capture.js';

const ROOT = resolve(import.meta.dirname, '..');
const KEY = 'sk-readme-7d0c2f5e91ab';

let upstream: HttpsUpstream;
let dir: string;
let env: Record<string, string>;

before(async () => {
  upstream = await startHttpsUpstream({
    hostnames: ['api.openai.com'],
    handler: (req) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'list', path: req.path }) }),
  });
  dir = await mkdtemp(join(tmpdir(), 'aivault-readme-'));
  const bin = join(dir, 'bin');
  await rm(bin, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  const shim = join(bin, 'aivault');
  await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, '.tmp/dist-dev/bin/aivault.cjs')}" "$@"\n`);
  await chmod(shim, 0o755);
  env = { PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: dir, AIVAULT_DIR: join(dir, 'vault'), OPENAI_API_KEY: KEY, ...upstream.devEnv() };
});

after(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

function block(readme: string, marker: string): string {
  const start = readme.indexOf(`<!-- ${marker}`);
  const end = readme.indexOf(`<!-- /${marker} -->`);
  assert.ok(start >= 0 && end > start, `README has a ${marker} block`);
  const fenced = readme.slice(start, end).match(/```\w*\n([\s\S]*?)```/);
  assert.ok(fenced, `the ${marker} block has a code fence`);
  return fenced[1]!;
}

function run(command: string, args: string[], cwd = dir) {
  return spawnCapture(command, args, { env, cwd });
}

test('the quick start runs as written and never shows the key', async () => {
  const script = block(await readFile(join(ROOT, 'README.md'), 'utf8'), 'quickstart');
  const ran = await run('bash', ['-euo', 'pipefail', '-c', script]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /Credential auto-provisioned: openai \(20 capabilities enabled\)/);
  assert.match(ran.stdout, /Ready \(credential configured\)/);
  assert.match(ran.stdout, /"capability": "openai\/chat-completions"/);
  assert.match(ran.stdout, /\{"object":"list","path":"\/v1\/chat\/completions"\}/);
  assert.match(ran.stdout, /"url": "https:\/\/api.openai.com\/v1\/models"/);
  const calls = upstream.requests.filter((r) => r.headers['authorization'] === `Bearer ${KEY}`);
  assert.equal(calls.length, 2, 'both invocations carried the injected key');
  assert.ok(!ran.stdout.includes(KEY) && !ran.stderr.includes(KEY));
});

test('the library example runs as written', async () => {
  const code = block(await readFile(join(ROOT, 'README.md'), 'utf8'), 'library').replace(
    "from 'aivault/inproc'",
    `from ${JSON.stringify(join(ROOT, 'src/transport-inproc/index.ts'))}`,
  );
  const file = join(dir, 'example.mts');
  await writeFile(file, code);
  const before = upstream.requests.length;
  // From the project root, so `--import tsx` resolves.
  const ran = await run(process.execPath, ['--import', 'tsx', file], ROOT);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^200 \{ object: 'list', path: '\/v1\/models' \}/);
  assert.equal(upstream.requests[before]?.headers['authorization'], `Bearer ${KEY}`);
});
