/**
 * Per-capability rate windows that hold across invocations (Decisions 9, 16, 18): fixed one-minute
 * windows `floor(now / 60000)`, persisted in `<root>/state/rate-limits.json`
 * (`{"version":1,"windows":{"<cap>":{"window":<minute>,"count":<n>}}}`, dir 0700, file 0600,
 * temp-file + rename, no fsync: counts are advisory), cached in memory and re-read when the file's
 * stat stamp changes. A limited call costs one `stat`, one small write and the `stat` of its result;
 * an unlimited one touches nothing.
 *
 * @see ../../../shared/spec/broker.md §9.1
 */
import { policyViolation } from '../broker-error.js';
import { atomicWriteFile } from '../atomic-write.js';
import { utf8DecodeStrict } from '../encoding.js';
import { dirname } from '../paths.js';
import { fileStamp } from '../registry/file-stamp.js';
import type { Clock, FsPort } from '../ports.js';
import { createStatWatch } from '../stat-watch.js';

import { RATE_LIMIT_MESSAGE } from '../error-codes.js';

export { RATE_LIMIT_MESSAGE };

export interface RateLimiter {
  /**
   * Counts one call against `capabilityId`. `limitPerMinute` null: no limit, nothing stored.
   * Throws `policy_violation` "capability rate limit exceeded" when the window is full.
   */
  take(capabilityId: string, limitPerMinute: number | null): Promise<void>;
}

export interface RateLimiterOptions {
  fs: FsPort;
  /** `<root>/state/rate-limits.json`. */
  path: string;
  clock: Clock;
  pid: number;
  uuid: () => string;
}

interface Window {
  window: number;
  count: number;
}

interface Cache {
  /** The file's stamp when `windows` was read or written (`null`: no file). */
  stamp: string | null;
  windows: Record<string, Window>;
}

/** @example const limiter = createRateLimiter({ fs, path: paths.rateLimitsPath, clock, pid, uuid }) */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { path, clock } = options;
  const watched = createStatWatch({ fs: options.fs, clock });
  const fs = watched.fs;
  let cache: Cache | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const load = async (): Promise<Record<string, Window>> => {
    const stamp = await fileStamp(watched, path);
    if (cache !== null && cache.stamp === stamp) return cache.windows;
    const windows = stamp === null ? {} : parseWindows(await fs.readFile(path).catch(() => new Uint8Array()));
    cache = { stamp, windows };
    return windows;
  };

  /** The state dir is made (0700) once per process; a write finding it gone re-creates it once. */
  let dirReady = false;
  const ensureDir = async (): Promise<void> => {
    const dir = dirname(path);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    dirReady = true;
  };
  // Counts are advisory across a crash: atomic (never torn) but not fsynced. The staging file is
  // opened 0600, so no chmod is needed.
  const write = (text: string) => atomicWriteFile(fs, path, text, { pid: options.pid, uuid: options.uuid, sync: false });

  const save = async (windows: Record<string, Window>): Promise<void> => {
    const text = `${JSON.stringify({ version: 1, windows })}\n`;
    if (!dirReady) await ensureDir();
    try {
      await write(text);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== 'ENOENT') throw error;
      await ensureDir();
      await write(text);
    }
    cache = { stamp: await fileStamp(watched, path), windows };
  };

  const takeNow = async (capabilityId: string, limit: number): Promise<void> => {
    if (limit <= 0) throw policyViolation(RATE_LIMIT_MESSAGE);
    const current = Math.floor(clock.now() / 60_000);
    const windows: Record<string, Window> = Object.assign(Object.create(null) as Record<string, Window>, await load());
    const stored = windows[capabilityId];
    const count = stored !== undefined && stored.window === current ? stored.count : 0;
    if (count >= limit) throw policyViolation(RATE_LIMIT_MESSAGE);
    windows[capabilityId] = { window: current, count: count + 1 };
    await save(windows);
  };

  return {
    take(capabilityId, limitPerMinute) {
      if (limitPerMinute === null || limitPerMinute === undefined) return Promise.resolve();
      // Serialise within the process so concurrent calls never lose an update.
      const run = queue.then(() => takeNow(capabilityId, limitPerMinute));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

// --- internal ---

/** A corrupt or foreign file counts as empty: it is rewritten on the next counted call. */
function parseWindows(bytes: Uint8Array): Record<string, Window> {
  const text = utf8DecodeStrict(bytes);
  if (text === null) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null || (json as { version?: unknown }).version !== 1) return {};
  const raw = (json as { windows?: unknown }).windows;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out = Object.create(null) as Record<string, Window>;
  for (const [id, value] of Object.entries(raw)) {
    if (typeof value !== 'object' || value === null) continue;
    const { window, count } = value as { window?: unknown; count?: unknown };
    if (Number.isSafeInteger(window) && Number.isSafeInteger(count) && (count as number) >= 0) {
      out[id] = { window: window as number, count: count as number };
    }
  }
  return out;
}
