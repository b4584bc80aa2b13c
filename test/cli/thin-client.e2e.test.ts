// The built `aivault` bundle against a real socket daemon: the thin invoke path must not load vault,
// crypto, registry or broker code (evidence: every built file the process reads, logged by a preload
// that wraps readFileSync for CommonJS, and every ES module it imports, logged by a loader hook).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrokerResponse, BrokerService } from '../../src/core/index.js';
import { createSocketServer } from '../../src/transport-socket/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, '.tmp/dist-dev/bin/aivault.cjs');
const built = existsSync(BIN);
const skip = built ? false : 'dev bundle missing: run `npm run pretest` (npm test builds it first)';

const DIST = join(ROOT, '.tmp/dist-dev');
/** Strings that survive minification and only appear in the heavy modules: vault, KDF, cipher, broker, registry. */
const HEAVY = ['vault.json', 'rotation.json', 'argon2id', 'expand 32-byte k', 'AWS4-HMAC-SHA256', 'capability.invoked', 'api.openai.com'];

function service(calls: string[]): BrokerService {
  return {
    async handle(request) {
      calls.push(`${request.envelope.capability} ${request.envelope.request.method} ${request.envelope.request.path}`);
      const body = (async function* () {
        yield new TextEncoder().encode('hello from daemon');
      })();
      const response: BrokerResponse = {
        planned: { capability: request.envelope.capability, credential: 'fake', method: request.envelope.request.method, url: 'https://api.openai.com/v1/models' },
        status: 200,
        headers: [{ name: 'content-type', value: 'text/plain' }],
        body,
      };
      return response;
    },
    unlock: async () => ({ locked: false }),
    lock: async () => ({ locked: true }),
    status: async () => ({ locked: false }),
  };
}

function runNode(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('thin invoke over a daemon loads no vault/crypto/registry/broker chunk', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-thin-'));
  const calls: string[] = [];
  const server = await createSocketServer({ service: service(calls), path: join(dir, 'd.sock'), pidFile: false });
  try {
    const log = join(dir, 'loaded.txt');
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }\n`);
    const register = join(dir, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const preload = join(dir, 'preload.cjs');
    await writeFile(
      preload,
      `const fs = require('node:fs'); const { pathToFileURL } = require('node:url'); const read = fs.readFileSync;\n` +
        `fs.readFileSync = function (path, ...rest) { if (typeof path === 'string') fs.appendFileSync(${JSON.stringify(log)}, pathToFileURL(path).href + '\\n'); return read.call(this, path, ...rest); };\n`,
    );
    const r = await runNode(['--require', preload, '--import', register, BIN, 'invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models'], {
      AIVAULTD_SOCKET: server.path,
      HOME: dir,
    });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'hello from daemon', 'raw body, no added newline');
    assert.deepEqual(calls, ['openai/models GET /v1/models']);
    const loaded = [...new Set((await readFile(log, 'utf8')).split('\n').filter((u) => u.startsWith('file:') && u.includes('/.tmp/dist-dev/')))];
    const names = loaded.map((u) => u.slice(u.indexOf('/.tmp/dist-dev/') + '/.tmp/dist-dev/'.length)).sort();
    assert.deepEqual(names, ['bin/aivault-cli.cjs', 'bin/aivault-cli.v8cache', 'bin/aivault.cjs'], 'the launcher, the one-file CLI and its code cache; nothing lazy');
    const everyBuiltFile = (await readdir(DIST, { recursive: true })).filter((f) => /\.(c?js)$/.test(f));
    for (const marker of HEAVY) {
      assert.ok(everyBuiltFile.some((f) => readFileSync(join(DIST, f), 'utf8').includes(marker)), `marker ${marker} exists in the heavy modules`);
    }
    for (const name of names.filter((n) => n.endsWith('js'))) {
      const text = await readFile(join(DIST, name), 'utf8');
      for (const marker of HEAVY) assert.ok(!text.includes(marker), `${name} contains ${marker}`);
    }
    assert.ok(!existsSync(join(dir, '.aivault')), 'no vault was created or read');
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the daemon error text is printed verbatim, exit 1; no fallback after a remote error', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-thin-'));
  const failing: BrokerService = {
    ...service([]),
    handle: async () => {
      const { policyViolation } = await import('../../src/core/broker-error.js');
      throw policyViolation('method not allowed by capability');
    },
  };
  const server = await createSocketServer({ service: failing, path: join(dir, 'd.sock'), pidFile: false });
  try {
    const r = await runNode([BIN, 'json', 'openai/models', '--method', 'POST', '--path', '/v1/models'], { AIVAULTD_SOCKET: server.path, HOME: dir });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'PolicyViolation: method not allowed by capability\n');
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(join(dir, '.aivault')), 'the local path (vault) was not tried');
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the built code cache is accepted by this Node, and the CLI runs without it', { skip }, async () => {
  const probe = `const l = require(${JSON.stringify(join(DIST, 'bin/aivault.cjs'))}); process.stdout.write(String(l.compileCli(${JSON.stringify(join(DIST, 'bin'))}).cacheRejected));`;
  const accepted = await runNode(['-e', probe], {});
  assert.equal(accepted.stdout, 'false', accepted.stderr);

  const dir = await mkdtemp(join(tmpdir(), 'aivault-nocache-'));
  try {
    await cp(DIST, dir, { recursive: true });
    await rm(join(dir, 'bin/aivault-cli.v8cache'));
    const version = await runNode([join(dir, 'bin/aivault.cjs'), '--version'], {});
    assert.match(version.stdout, /^aivault \d+\.\d+\.\d+\n$/);
    await writeFile(join(dir, 'bin/aivault-cli.v8cache'), 'not a code cache');
    const help = await runNode([join(dir, 'bin/aivault.cjs'), 'help', 'invoke'], {});
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /invoke/, 'a lazily imported module (help) loads through the launcher');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('aivaultd --version and usage errors from the built bins', { skip }, async () => {
  const v = await runNode([join(ROOT, '.tmp/dist-dev/bin/aivaultd.js'), '--version'], {});
  assert.match(v.stdout, /^aivaultd \d+\.\d+\.\d+\n$/);
  const bad = await runNode([join(ROOT, '.tmp/dist-dev/bin/aivaultd.js'), '--bogus'], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unexpected argument '--bogus'/);
});

test('no daemon: the local path autostarts a --once aivaultd next to aivault, which serves the real broker', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-auto-'));
  try {
    const r = await runNode([BIN, 'invoke', 'openai/models', '--method', 'GET', '--path', '/v1/models'], { AIVAULT_DIR: dir, HOME: dir });
    assert.equal(r.code, 1);
    const sock = join(dir, 'run/aivaultd.sock');
    assert.equal(
      r.stderr,
      `CredentialNotFound: no credential for capability provider\n(thin client daemon attempt failed first: failed connecting to aivaultd at '${sock}': No such file or directory (os error 2))\n`,
    );
    assert.ok(existsSync(join(dir, 'run/aivaultd.log')), 'daemon output goes to a log file under the run dir');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
