import type { CliIo } from './io.js';

/** Runs `aivault` with `argv` (without the node and script paths); resolves to the exit code. */
export async function runAivault(argv: string[], io: CliIo): Promise<number> {
  void argv;
  io.stdout.write('aivault\n');
  return 0;
}
