import type { EnvMap } from '../core/ports.js';

/** Everything a CLI run touches of its process; tests pass fakes. */
export interface CliIo {
  env: EnvMap;
  /** Read only by commands that take input; the bins pass a getter so `process.stdin` is not built at start-up. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Working directory for relative paths; defaults to `process.cwd()`. */
  cwd?: string;
  /**
   * Path of the running `aivault` script, used to find `aivaultd` next to it (autostart, restart,
   * setup). Defaults to `process.argv[1]`.
   */
  scriptPath?: string;
  /** Effective uid (root checks of `setup`); defaults to `process.getuid()`. */
  uid?: number;
}
