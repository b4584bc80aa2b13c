/**
 * Output helpers: pretty JSON, error lines, and writing that respects back-pressure.
 *
 * @see ../../../shared/spec/cli.md §1.4-§1.5
 */
import { BrokerError, renderErrorText } from '../core/broker-error.js';

/** `JSON.stringify(v, null, 2) + "\n"`: the contract's JSON layout. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes and waits until the stream accepted the chunk (so piping large bodies never buffers unboundedly). */
export function writeOut(stream: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(chunk, (error) => {
      if (error) reject(error);
    });
    if (ok) resolve();
    else stream.once('drain', () => resolve());
  });
}

/** The one-line error text for anything thrown; never a stack, never an unknown error's text. */
export function errorText(error: unknown): string {
  return renderErrorText(BrokerError.from(error));
}

/** Exit code of an error: 2 for usage, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  return BrokerError.from(error).code === 'usage' ? 2 : 1;
}
