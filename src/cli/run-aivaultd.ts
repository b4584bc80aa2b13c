import type { CliIo } from './io.js';

/** Runs `aivaultd` with `argv`; resolves to the exit code once the daemon stops. */
export async function runAivaultd(argv: string[], io: CliIo): Promise<number> {
  void argv;
  io.stdout.write('aivaultd\n');
  return 0;
}
