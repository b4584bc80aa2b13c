/**
 * A file's identity for stat-validated caches: mtime, size and (when the port knows it) inode.
 * Pass a `StatWatch` (`../stat-watch.ts`) as `fs` to skip the `stat` while watchers see no change.
 * Equal stamps mean "same content as when the cache was filled"; a missing file has no stamp.
 *
 * @see ../../../docs/decisions.md "Hot-path caches"
 */
import type { FsPort } from '../ports.js';

/** `null` when the file cannot be stat'ed (missing or unreadable): callers treat it as changed. */
export async function fileStamp(fs: Pick<FsPort, 'stat'>, path: string): Promise<string | null> {
  try {
    const s = await fs.stat(path);
    return `${s.mtimeMs}:${s.size}:${s.ino ?? ''}`;
  } catch {
    return null;
  }
}
