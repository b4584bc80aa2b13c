/**
 * The home-directory rule shared by the CLI, the daemon and the in-process ports, as a pure
 * function: the edge passes `os.homedir()` (or `undefined` when it throws) and the env snapshot.
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
