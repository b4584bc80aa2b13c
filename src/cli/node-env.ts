/**
 * Process-level facts the CLI needs (home, tmpdir, platform, uid), and a minimal Node FsPort.
 * The transports engineer's `createNodePorts` supersedes the FsPort adapter once wired.
 */
import { constants, promises as fsp } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import type { FileHandlePort, FsPort } from '../core/ports.js';
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

/** `node:fs/promises` narrowed to the core's FsPort. */
export function nodeFsPort(): FsPort {
  return {
    readFile: async (path) => new Uint8Array(await fsp.readFile(path)),
    writeFile: (path, data, options) => fsp.writeFile(path, data, options?.mode === undefined ? undefined : { mode: options.mode }),
    appendFile: (path, data) => fsp.appendFile(path, data),
    open: async (path, flags, mode) => {
      const handle = await fsp.open(path, flags, mode);
      const port: FileHandlePort = {
        writeFile: (data) => handle.writeFile(data),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
      return port;
    },
    rename: (from, to) => fsp.rename(from, to),
    mkdir: (path, options) => fsp.mkdir(path, options),
    chmod: (path, mode) => fsp.chmod(path, mode),
    readdir: (path) => fsp.readdir(path),
    stat: async (path) => {
      const s = await fsp.stat(path);
      return { isFile: () => s.isFile(), isDirectory: () => s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs, mode: s.mode };
    },
    rm: (path, options) => fsp.rm(path, options),
  };
}
