/**
 * Process-level facts the CLI needs (home, tmpdir, whether a path exists). Light: the thin
 * invoke path imports it, so it loads no `fs/promises`.
 */
import { access, constants } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import type { EnvMap } from '../core/ports.js';

/** The OS home directory, else `HOME`, else `USERPROFILE` (daemon.md §1). */
export function resolveHome(env: EnvMap): string | undefined {
  let home: string | undefined;
  try {
    home = homedir();
  } catch {
    home = undefined;
  }
  for (const candidate of [home, env.HOME, env.USERPROFILE]) if (candidate !== undefined && candidate.trim() !== '') return candidate;
  return undefined;
}

export const osTmpdir = (): string => tmpdir();

/** Whether a path exists (any type). */
export function pathExists(path: string): Promise<boolean> {
  return new Promise((resolve) => access(path, constants.F_OK, (error) => resolve(error === null)));
}

