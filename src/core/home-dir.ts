/**
 * The home-directory rule shared by the CLI, the daemon and the in-process ports, as pure
 * functions: the edge passes the env snapshot it was given and the account's home directory.
 *
 * @see ../../shared/spec/daemon.md §1; ../../shared/spec/vault.md §2.1; docs/decisions.md "Home directory"
 */
import type { EnvMap } from './ports.js';

/**
 * The OS home, else `HOME`, else `USERPROFILE`; `undefined` when none is usable. A blank value
 * (empty or whitespace only) counts as missing; a non-blank one is used as given, untrimmed.
 */
export function resolveHomeDir(osHome: string | undefined, env: EnvMap): string | undefined {
  for (const candidate of [osHome, env['HOME'], env['USERPROFILE']]) {
    if (candidate !== undefined && candidate.trim() !== '') return candidate;
  }
  return undefined;
}

/**
 * The OS home directory as `os.homedir()` finds it, but for the env snapshot a caller injected
 * rather than the process's own: a non-empty `HOME` (POSIX) or `USERPROFILE` (Windows), else the
 * account's home (`accountHome`, e.g. `os.userInfo().homedir`; `undefined` when unknown). So
 * `runAivault(argv, { env: { HOME: dir } })` uses `dir`, as the same variables give the binary.
 */
export function osHomeFor(env: EnvMap, platform: string, accountHome: () => string | undefined): string | undefined {
  const variable = platform === 'win32' ? env['USERPROFILE'] : env['HOME'];
  return variable !== undefined && variable !== '' ? variable : accountHome();
}
