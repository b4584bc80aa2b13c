// Where a passphrase comes from (Decision 4): --passphrase, then AIVAULT_PASSPHRASE, then a
// terminal prompt in raw mode that never echoes what is typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';
import { passphraseFrom } from '../../src/cli/passphrase.js';

/** A context over a fake terminal: records raw-mode switches and everything written to stderr. */
function terminal(env: Record<string, string> = {}, tty = true) {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty, raw: [] as boolean[], setRawMode(raw: boolean) { stdin.raw.push(raw); } });
  let stderr = '';
  const ctx = { env, io: { stdin }, err: async (text: string) => void (stderr += text) } as unknown as CliContext;
  return { ctx, stdin, stderr: () => stderr };
}

test('the flag wins over AIVAULT_PASSPHRASE, which wins over the prompt', async () => {
  const t = terminal({ AIVAULT_PASSPHRASE: 'from-env' });
  assert.equal(await passphraseFrom(t.ctx, 'from-flag', { required: true }), 'from-flag');
  assert.equal(await passphraseFrom(t.ctx, undefined, { required: true }), 'from-env');
  assert.deepEqual(t.stdin.raw, [], 'no prompt when a passphrase was given');
});

test('the terminal prompt reads in raw mode without echo; backspace edits, Enter ends', async () => {
  const t = terminal();
  const answer = passphraseFrom(t.ctx, undefined, { required: true });
  t.stdin.write('hunter2x\u007f\r');
  assert.equal(await answer, 'hunter2');
  assert.equal(t.stderr(), 'Passphrase: \n', 'nothing typed is echoed');
  assert.deepEqual(t.stdin.raw, [true, false], 'raw mode is switched off again');
});

test('Ctrl-C cancels the prompt; without a terminal a required passphrase is a usage error', async () => {
  const t = terminal();
  const answer = passphraseFrom(t.ctx, undefined, { required: true });
  t.stdin.write('abc\u0003');
  await assert.rejects(answer, { message: 'passphrase prompt cancelled' });
  assert.deepEqual(t.stdin.raw, [true, false]);

  const pipe = terminal({}, false);
  assert.equal(await passphraseFrom(pipe.ctx, undefined, { required: false }), undefined);
  await assert.rejects(passphraseFrom(pipe.ctx, undefined, { required: true }), {
    message: 'passphrase required: pass --passphrase, set AIVAULT_PASSPHRASE, or run in a terminal',
  });
});
