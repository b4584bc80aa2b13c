import type { FsPort } from './ports.js';
import { basename, dirname, joinPath } from './paths.js';

export interface AtomicWriteOptions {
  /** Applied to the staging file before the rename; a chmod failure aborts the write. */
  mode?: number;
  /** Makes staging names unique: `<name>.tmp.<pid>.<uuid>` (vault.md §2.4). */
  pid: number;
  uuid: () => string;
  /** fsync the staging file before the rename. `false` only for advisory data (still atomic, not durable). @default true */
  sync?: boolean;
}

/**
 * Writes `data` to `path` so that readers see either the old or the new content, never a
 * partial file: write a sibling staging file, fsync, chmod, rename over the target.
 * The staging file is removed when any step fails.
 */
export async function atomicWriteFile(
  fs: FsPort,
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions,
): Promise<void> {
  const staging = joinPath(dirname(path), `${basename(path)}.tmp.${options.pid}.${options.uuid()}`);
  try {
    const handle = await fs.open(staging, 'w', options.mode ?? 0o600);
    try {
      await handle.writeFile(data);
      if (options.sync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.mode !== undefined) await fs.chmod(staging, options.mode);
    await fs.rename(staging, path);
  } catch (error) {
    await fs.rm(staging, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** True for staging leftovers (`*.tmp.*`), which every reader ignores. */
export function isStagingFileName(name: string): boolean {
  return /\.tmp\.\d+\./.test(name);
}
