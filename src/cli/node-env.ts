/**
 * Process-level facts the CLI needs (home, tmpdir, platform, uid), and the Node FsPort.
 */
import { constants, promises as fsp } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import type { FsPort } from '../core/ports.js';
import { nodeFs } from '../transport-inproc/node-fs.js';
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
export async function pathExists(path: string): Promise<boolean> {
  try {
    await fsp.access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** `node:fs/promises` as the core's FsPort (shared with the Node ports). */
export const nodeFsPort = (): FsPort => nodeFs;
