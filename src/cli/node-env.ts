/**
 * Process-level facts the CLI needs (home, tmpdir, whether a path exists). Light: the thin
 * invoke path imports it. `node:fs` and `node:os` are taken with `process.getBuiltinModule` when
 * first needed: an ESM `import` of `node:fs` builds its whole namespace, which loads
 * `fs/promises`, readline, watchers and dir streams at start-up (~20 built-in modules).
 */
import { osHomeFor, resolveHomeDir } from '../core/home-dir.js';
import type { EnvMap } from '../core/ports.js';

const fs = () => process.getBuiltinModule('node:fs');
const os = () => process.getBuiltinModule('node:os');

/** The OS home directory (for `env`), else `HOME`, else `USERPROFILE`; blank counts as missing (daemon.md §1). */
export function resolveHome(env: EnvMap): string | undefined {
  return resolveHomeDir(osHomeFor(env, process.platform, accountHome), env);
}

function accountHome(): string | undefined {
  try {
    return os().userInfo().homedir;
  } catch {
    return undefined;
  }
}

export const osTmpdir = (): string => os().tmpdir();

/** Whether a path exists (any type). */
export function pathExists(path: string): Promise<boolean> {
  const { access, constants } = fs();
  return new Promise((resolve) => access(path, constants.F_OK, (error) => resolve(error === null)));
}

