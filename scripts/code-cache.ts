/**
 * Writes `bin/aivault-cli.v8cache` for a built CLI (called by tsup.config.ts after each build).
 *
 * A code cache made right after compiling holds only the top-level code; V8 compiles most
 * functions lazily, on first call. So a child process runs the real launcher on a scripted
 * `aivault invoke` against a stand-in daemon socket that answers with a canned reply, and writes
 * the cache when it exits: every function of the thin invoke path is then in it. The run must
 * succeed, so a build whose CLI cannot complete that invoke fails here.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A buffered `execute_envelope` reply as aivaultd sends it. */
const CANNED_REPLY = JSON.stringify({
  ok: true,
  value: {
    planned: { capability: 'openai/chat-completions', credential: 'openai', method: 'POST', url: 'https://api.openai.com/v1/chat/completions' },
    response: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], bodyUtf8: '{"id":"chatcmpl-cache"}', bodyB64: 'eyJpZCI6ImNoYXRjbXBsLWNhY2hlIn0=' },
  },
});

/** Runs in the child (CommonJS, `node -e`). */
const CHILD = `
const { createServer } = require('node:net');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const launcher = require(join(process.env.CACHE_BIN_DIR, 'aivault.cjs'));
const server = createServer((socket) => {
  socket.resume();
  socket.on('end', () => socket.end(process.env.CACHE_REPLY));
  socket.on('close', () => server.close());
});
server.listen(process.env.AIVAULTD_SOCKET, () => {
  const cli = launcher.compileCli(process.env.CACHE_BIN_DIR);
  process.argv = [process.execPath, join(process.env.CACHE_BIN_DIR, 'aivault.cjs'), 'invoke', 'openai/chat-completions',
    '--method', 'POST', '--path', '/v1/chat/completions', '--header', 'content-type: application/json', '--body', '{}'];
  process.on('exit', (code) => {
    if (code === 0) writeFileSync(join(process.env.CACHE_BIN_DIR, launcher.CODE_CACHE_FILE), cli.codeCache());
  });
  cli.run();
});
`;

export async function writeCodeCache(binDir: string): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'aivault-code-cache-'));
  try {
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      AIVAULTD_SOCKET: join(home, 'aivaultd.sock'),
      AIVAULTD_AUTOSTART: '0',
      NO_COLOR: '1',
      CACHE_BIN_DIR: binDir,
      CACHE_REPLY: CANNED_REPLY,
    };
    const { code, stdout, stderr } = await run(['-e', CHILD], env);
    if (code !== 0 || !stdout.includes('chatcmpl-cache')) {
      throw new Error(`code cache: the scripted invoke failed (exit ${code}): ${stderr.trim().slice(0, 800)}`);
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
