// The README's "HTTP transport" block runs as written (STYLE.md rule 15): a daemon started by
// runAivaultd (in place of the block's first line, on a free port instead of 19790) over a real
// vault in a temporary HOME, the rest through bash and curl, against a loopback mock of
// api.openai.com. Nothing reaches the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runAivaultd } from '../../src/cli/run-aivaultd.js';
import { startHttpsUpstream } from '../fakes/https-upstream.js';
import { spawnCapture } from '../fakes/spawn-capture.js';
import { run } from '../cli/_helpers/fake-io.js';

const ROOT = resolve(import.meta.dirname, '../..');
const KEY = 'sk-readme-http-5e0d8a13c7';

test('README "HTTP transport": mint, envelope and passthrough with curl', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- http:');
  const body = readme.slice(readme.indexOf('```sh\n', start) + 6, readme.indexOf('```', readme.indexOf('```sh\n', start) + 6));
  const [first, ...rest] = body.split('\n');
  assert.match(first!, /^aivaultd --http 19790 &/);

  const upstream = await startHttpsUpstream({
    hostnames: ['api.openai.com'],
    handler: (req) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: `${JSON.stringify({ path: req.path, body: req.bodyText })}\n` }),
  });
  const home = await mkdtemp(join(tmpdir(), 'aivault-readme-http-'));
  const env = { HOME: home, ...upstream.devEnv() };
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  stdout.resume();
  const stdin = new PassThrough();
  stdin.end();
  let daemon: Promise<number> | undefined;
  try {
    assert.equal((await run(['secrets', 'create', '--name', 'OPENAI_API_KEY', '--value', '-'], { env, stdin: KEY })).code, 0);
    let text = '';
    const started = new Promise<string>((resolve) => stderr.on('data', (c: Buffer) => ((text += c.toString()), text.includes('\n') && resolve(text))));
    daemon = runAivaultd(['--http', '0'], { env, stdin, stdout, stderr });
    const port = /127\.0\.0\.1:(\d+)/.exec(await started)?.[1];
    assert.ok(port, text);
    assert.match(text, new RegExp(`operator token: ${home}/\\.aivault/run/operator\\.token\\)`));

    const script = `set -e\n${rest.join('\n').replaceAll('19790', port)}`;
    const ran = await spawnCapture('bash', ['-c', script], { env: { PATH: `${process.env['PATH']}`, HOME: home } });
    assert.equal(ran.code, 0, ran.stderr);
    const answers = ran.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(answers, [
      { path: '/v1/chat/completions', body: '{"model":"gpt-4o-mini"}' },
      { path: '/v1/chat/completions', body: '{"model":"gpt-4o-mini"}' },
    ]);
    assert.ok(upstream.requests.every((r) => r.headers['authorization'] === `Bearer ${KEY}`));
    assert.ok(!ran.stdout.includes(KEY) && !ran.stderr.includes(KEY));
  } finally {
    if (daemon !== undefined) {
      process.kill(process.pid, 'SIGTERM');
      assert.equal(await daemon, 0);
    }
    await upstream.close();
    await rm(home, { recursive: true, force: true });
  }
});
