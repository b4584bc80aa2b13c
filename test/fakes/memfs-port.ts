// An in-memory FsPort for core tests, plus a fault injector for crash-safety tests.
import { memfs } from 'memfs';
import type { FileHandlePort, FileStat, FsPort } from '../../src/core/ports.js';

export interface MemFs {
  fs: FsPort;
  /** The raw memfs volume, for assertions (modes, file contents). */
  vol: ReturnType<typeof memfs>['vol'];
}

/** A fresh memfs-backed FsPort. */
export function createMemFs(files: Record<string, string> = {}): MemFs {
  const { fs, vol } = memfs(files, '/');
  const p = fs.promises;
  const port: FsPort = {
    readFile: async (path) => new Uint8Array((await p.readFile(path)) as Buffer),
    writeFile: async (path, data, options) => {
      await p.writeFile(path, data, options?.mode === undefined ? undefined : { mode: options.mode });
    },
    appendFile: async (path, data) => {
      await p.appendFile(path, data);
    },
    open: async (path, flags, mode) => {
      const handle = await p.open(path, flags, mode);
      const wrapped: FileHandlePort = {
        writeFile: async (data) => {
          await handle.writeFile(data);
        },
        sync: async () => {
          await handle.datasync();
        },
        close: async () => {
          await handle.close();
        },
      };
      return wrapped;
    },
    rename: async (from, to) => {
      await p.rename(from, to);
    },
    mkdir: (path, options) => p.mkdir(path, options),
    chmod: async (path, mode) => {
      await p.chmod(path, mode);
    },
    readdir: async (path) => (await p.readdir(path)) as string[],
    stat: async (path) => {
      const s = await p.stat(path);
      const stat: FileStat = {
        isFile: () => s.isFile(),
        isDirectory: () => s.isDirectory(),
        size: Number(s.size),
        mtimeMs: Number(s.mtimeMs),
        mode: Number(s.mode),
        ino: Number(s.ino),
      };
      return stat;
    },
    rm: async (path, options) => {
      await p.rm(path, options);
    },
  };
  return { fs: port, vol };
}

/** Mutating FsPort methods, the points where a crash can happen. */
export const WRITE_METHODS = ['writeFile', 'appendFile', 'open', 'rename', 'mkdir', 'chmod', 'rm'] as const;

/**
 * Wraps an FsPort so that the `failAt`-th mutating call (1-based) throws, simulating a crash at
 * that write. `count()` tells how many mutating calls happened, to enumerate every crash point.
 */
export function withFaultAt(fs: FsPort, failAt: number): { fs: FsPort; count: () => number } {
  let calls = 0;
  const wrapped = { ...fs } as FsPort;
  for (const method of WRITE_METHODS) {
    const original = fs[method] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      calls += 1;
      if (calls === failAt) throw Object.assign(new Error(`injected fault at write ${calls}`), { code: 'EIO' });
      return original(...args);
    };
  }
  return { fs: wrapped, count: () => calls };
}
