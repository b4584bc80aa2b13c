/**
 * Stat-validated file caches: a value parsed from a file is reused while the file's `stat`
 * signature (mtime, size and, when the port reports it, inode) is unchanged, so a warm call
 * costs one `stat` instead of a read and a parse. A change by another process — an atomic
 * rename gives a new inode, an in-place edit a new mtime or size — is seen on the next call.
 * Limitation: an in-place edit that keeps the size within one mtime tick goes unseen until
 * the file changes again.
 *
 * @see ../../../docs/decisions.md "Vault" (caches)
 */
import type { FileStat, FsPort } from '../ports.js';

export interface FileSignature {
  mtimeMs: number;
  size: number;
  ino: number | undefined;
}

export function signatureOf(stat: FileStat): FileSignature {
  return { mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino };
}

/** Same mtime and size, and the same inode unless either side does not know it. */
export function sameSignature(a: FileSignature, b: FileSignature): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && (a.ino === undefined || b.ino === undefined || a.ino === b.ino);
}

export interface StatCache<T> {
  /** The value read from `path`, re-read only when the file's signature changed. */
  get(path: string): Promise<T>;
  /** Drops the cached value (own writes call this). */
  invalidate(): void;
}

export interface StatCacheOptions<T> {
  fs: FsPort;
  /** Reads and parses the file; its errors (and a missing file) pass through uncached. */
  read: (path: string) => Promise<T>;
  /** How to `stat` (a watch-validated one, see `../stat-watch.ts`). @default fs.stat */
  stat?: (path: string) => Promise<FileStat>;
  /** Called with a value the cache drops (key material is wiped here). */
  release?: (value: T) => void;
  /** What a caller gets of the cached value (a copy for key material the caller wipes). @default the value itself */
  share?: (value: T) => T;
}

/** A one-entry cache (the latest path asked for). */
export function createStatCache<T>(options: StatCacheOptions<T>): StatCache<T> {
  let entry: { path: string; signature: FileSignature; value: T } | null = null;
  /** Bumped by `invalidate`, so a read that started before it is not stored. */
  let generation = 0;
  const share = options.share ?? ((value: T): T => value);
  const statOf = options.stat ?? ((path: string) => options.fs.stat(path));

  const drop = (): void => {
    if (entry !== null) options.release?.(entry.value);
    entry = null;
  };

  return {
    async get(path) {
      const started = generation;
      let stat: FileStat;
      try {
        stat = await statOf(path);
      } catch {
        // missing or unreadable: let `read` produce the contract's answer, cache nothing
        return options.read(path);
      }
      const signature = signatureOf(stat);
      if (entry !== null && entry.path === path && sameSignature(entry.signature, signature)) return share(entry.value);
      const value = await options.read(path);
      if (started !== generation) return value;
      drop();
      entry = { path, signature, value };
      return share(value);
    },
    invalidate() {
      generation += 1;
      drop();
    },
  };
}
