/**
 * Watch-validated `stat`s: where the `FsPort` offers `watch`, the stat-validated caches (vault
 * config, key file, `secrets/` index, records, `broker.json`, rate windows) stop paying a `stat`
 * per call. A path's last `stat` is reused while its DIRECTORY's watcher (directories, not files:
 * an atomic rename replaces the inode, so a file watch goes stale) has reported no event for that
 * name, and for at most {@link STAT_WATCH_SAFETY_MS} (a safety net for lost events). A directory's
 * own stat is reused while no event arrived inside it nor for its name in its parent. Writes made
 * through {@link StatWatch.fs} drop what they touch at once, before their event arrives. Errors are
 * never cached. A port without `watch`, a watcher that fails or closes, or a directory that cannot
 * be watched: every `stat` goes to the port, exactly as before.
 *
 * @see ../../docs/decisions.md "Vault" (caches), "Hot-path caches"
 */
import type { Clock, FileHandlePort, FileStat, FsPort } from './ports.js';
import { basename, dirname } from './paths.js';

/** Re-validate by `stat` at least this often even when no event arrived. */
export const STAT_WATCH_SAFETY_MS = 1000;
/** A failed `watch` is tried again after this long. */
const RETRY_MS = 1000;
/** Per-name event marks kept per directory before they are folded into one "anything changed". */
const MAX_NAMES = 512;

export interface StatWatch {
  /** The port, with writes that drop the cached stats of what they touch (use it for own writes). */
  readonly fs: FsPort;
  /** `fs.stat`, answered from memory while the watchers say nothing changed. */
  stat(path: string): Promise<FileStat>;
  /** Whether `watch` is in use (callers may keep extra caches only then). */
  readonly watching: boolean;
  /** How many watch events arrived so far (tests wait on it instead of sleeping). */
  events(): number;
  /** Closes the watchers; later calls take the plain stat path. */
  close(): void;
}

interface DirWatcher {
  /** `null` while the directory cannot be watched (until `retryAt`). */
  stop: (() => void) | null;
  retryAt: number;
  /** Sequence of the last event per child name. */
  names: Map<string, number>;
  /** Sequence of the last event of any name (or of none). */
  any: number;
  /** Every name counts as changed up to this sequence (events without a name, overflow). */
  all: number;
}

interface Entry {
  stat: FileStat;
  /** The global sequence when the `stat` started. */
  seq: number;
  at: number;
}

/** @example const watched = createStatWatch({ fs, clock }); const s = await watched.stat(path); */
export function createStatWatch(options: { fs: FsPort; clock: Clock }): StatWatch {
  const { fs, clock } = options;
  const watch = fs.watch?.bind(fs);
  let closed = watch === undefined;
  let seq = 0;
  let events = 0;
  const dirs = new Map<string, DirWatcher>();
  const entries = new Map<string, Entry>();

  const forget = (path: string): void => {
    seq += 1;
    entries.delete(path);
    entries.delete(dirname(path));
    // an own mkdir may have made an unwatchable directory watchable: try again at once
    const dir = dirs.get(path);
    if (dir !== undefined && dir.stop === null) dir.retryAt = 0;
  };

  const onEvent = (dir: DirWatcher, name: string | null): void => {
    seq += 1;
    events += 1;
    dir.any = seq;
    if (name === null) dir.all = seq;
    else if (dir.names.size >= MAX_NAMES && !dir.names.has(name)) {
      dir.names.clear();
      dir.all = seq;
    } else dir.names.set(name, seq);
  };

  /** The directory's watcher, started on first use; `null` when it cannot watch now. */
  const watcherOf = (path: string): DirWatcher | null => {
    if (closed || watch === undefined) return null;
    let dir = dirs.get(path);
    if (dir === undefined) {
      dir = { stop: null, retryAt: 0, names: new Map(), any: 0, all: 0 };
      dirs.set(path, dir);
    }
    if (dir.stop !== null) return dir;
    if (clock.now() < dir.retryAt) return null;
    const d = dir;
    let failed = false;
    const fail = (): void => {
      failed = true;
      d.stop?.();
      d.stop = null;
      d.retryAt = clock.now() + RETRY_MS;
      // nothing seen while unwatched may be trusted
      seq += 1;
      d.any = seq;
      d.all = seq;
    };
    try {
      const stop = watch(path, (name) => onEvent(d, name), fail);
      if (failed) {
        stop();
        return null;
      }
      d.stop = stop;
      // events before the watch existed are unknown: entries taken before are stale
      seq += 1;
      d.any = seq;
      d.all = seq;
      return d;
    } catch {
      fail();
      return null;
    }
  };

  /** The last sequence at which `path` may have changed, or `null` when no watcher vouches for it. */
  const changedAt = (path: string, isDir: boolean): number | null => {
    const parent = watcherOf(dirname(path));
    if (parent === null) return null;
    const name = basename(path);
    let last = Math.max(parent.all, parent.names.get(name) ?? 0);
    if (isDir) {
      const self = watcherOf(path);
      if (self === null) return null;
      last = Math.max(last, self.any);
    }
    return last;
  };

  const stat = async (path: string): Promise<FileStat> => {
    if (closed) return fs.stat(path);
    const entry = entries.get(path);
    const now = clock.now();
    if (entry !== undefined && now - entry.at < STAT_WATCH_SAFETY_MS && now >= entry.at) {
      const last = changedAt(path, entry.stat.isDirectory());
      if (last !== null && last < entry.seq) return entry.stat;
    }
    entries.delete(path);
    // watch before stat'ing, so a change after the stat is never missed
    const parentWatched = watcherOf(dirname(path)) !== null;
    const started = ++seq;
    const result = await fs.stat(path);
    if (parentWatched && !closed) {
      if (result.isDirectory() && watcherOf(path) === null) return result;
      entries.set(path, { stat: result, seq: started, at: now });
    }
    return result;
  };

  const touching = <A extends unknown[], R>(run: (...args: A) => Promise<R>, paths: (...args: A) => string[]) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(...args);
      } finally {
        for (const p of paths(...args)) forget(p);
      }
    };

  const wrapped: FsPort = {
    ...fs,
    writeFile: touching((p: string, data: Uint8Array | string, o?: { mode?: number }) => fs.writeFile(p, data, o), (p) => [p]),
    appendFile: touching((p: string, data: Uint8Array | string) => fs.appendFile(p, data), (p) => [p]),
    rename: touching((from: string, to: string) => fs.rename(from, to), (from, to) => [from, to]),
    mkdir: touching((p: string, o?: { recursive?: boolean; mode?: number }) => fs.mkdir(p, o), (p) => [p]),
    chmod: touching((p: string, mode: number) => fs.chmod(p, mode), (p) => [p]),
    rm: touching((p: string, o?: { recursive?: boolean; force?: boolean }) => fs.rm(p, o), (p) => [p]),
    open: async (path, flags, mode) => {
      const handle = await fs.open(path, flags, mode);
      forget(path);
      const after = <T>(run: Promise<T>): Promise<T> => run.finally(() => forget(path));
      const out: FileHandlePort = {
        writeFile: (data) => after(handle.writeFile(data)),
        sync: () => handle.sync(),
        close: () => after(handle.close()),
      };
      return out;
    },
  };

  return {
    fs: watch === undefined ? fs : wrapped,
    stat,
    get watching() {
      return !closed;
    },
    events: () => events,
    close() {
      closed = true;
      for (const dir of dirs.values()) dir.stop?.();
      dirs.clear();
      entries.clear();
    },
  };
}
