/**
 * Where a passphrase comes from (Decision 4): the flag, else `AIVAULT_PASSPHRASE`, else a
 * terminal prompt without echo. Never printed, never logged.
 */
import type { CliContext } from './context.js';
import { inputError } from './errors.js';

/** Returns the passphrase, or `undefined` when none is available and `required` is false. */
export async function passphraseFrom(
  ctx: CliContext,
  flag: string | undefined,
  options: { required: boolean; requiredMessage?: string },
): Promise<string | undefined> {
  if (flag !== undefined) return flag;
  const env = ctx.env.AIVAULT_PASSPHRASE;
  if (env !== undefined && env !== '') return env;
  const stdin = ctx.io.stdin as NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  if (stdin.isTTY === true && typeof stdin.setRawMode === 'function') return promptHidden(ctx, stdin as RawStdin);
  if (!options.required) return undefined;
  throw inputError(options.requiredMessage ?? 'passphrase required: pass --passphrase, set AIVAULT_PASSPHRASE, or run in a terminal');
}

// --- internal ---

type RawStdin = NodeJS.ReadableStream & { setRawMode(raw: boolean): unknown };

function promptHidden(ctx: CliContext, stdin: RawStdin): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    void ctx.err('Passphrase: ');
    stdin.setRawMode(true);
    stdin.resume();
    const done = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      void ctx.err('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(inputError('passphrase prompt cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
