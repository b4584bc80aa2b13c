// A counting FsPort wrapper: proves how many filesystem calls an operation costs.
import type { FileHandlePort, FsPort } from '../../src/core/ports.js';

export interface FsCall {
  /** An FsPort method, or `handle.<method>` for calls on a handle from `open`. */
  method: keyof FsPort | `handle.${keyof FileHandlePort}`;
  path: string;
}

export interface CountingFs {
  fs: FsPort;
  /** Every call since the last `reset()`, in order. */
  calls: FsCall[];
  /** Calls of one method (optionally only those whose path starts with `prefix`). */
  count(method?: FsCall['method'], prefix?: string): number;
  reset(): void;
}

/** Wraps `inner` so each call (and each call on an opened handle) is recorded before it runs. */
export function countingFs(inner: FsPort): CountingFs {
  const calls: FsCall[] = [];
  const fs = { ...inner };
  for (const method of Object.keys(inner) as Array<keyof FsPort>) {
    const original = inner[method] as (...args: unknown[]) => unknown;
    (fs as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls.push({ method, path: String(args[0]) });
      return original.apply(inner, args);
    };
  }
  fs.open = async (path, flags, mode) => {
    calls.push({ method: 'open', path });
    const handle = await inner.open(path, flags, mode);
    const record = <T>(name: keyof FileHandlePort, run: () => Promise<T>): Promise<T> => {
      calls.push({ method: `handle.${name}`, path });
      return run();
    };
    return {
      writeFile: (data) => record('writeFile', () => handle.writeFile(data)),
      sync: () => record('sync', () => handle.sync()),
      close: () => record('close', () => handle.close()),
    };
  };
  return {
    fs,
    calls,
    count: (method, prefix) =>
      calls.filter((c) => (method === undefined || c.method === method) && (prefix === undefined || c.path.startsWith(prefix))).length,
    reset: () => {
      calls.length = 0;
    },
  };
}
