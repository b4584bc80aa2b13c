/**
 * The audit log: one compact JSON event per line in `audit/<YYYY>-<MM>.jsonl` (UTC month),
 * size rotation at 5 MiB keeping 10 segments, newest-first reading. Writing is best-effort:
 * a failed audit write never fails the operation.
 *
 * @see ../../../../shared/spec/vault.md §12; spec/README.md Decisions 8, 16
 */
import type { AppendHandlePort, Clock, EnvMap, FsPort } from '../ports.js';
import { joinPath } from '../paths.js';
import { concatBytes, utf8DecodeStrict, utf8Encode } from '../encoding.js';
import type { AuditEvent } from './types.js';
import { isNotFound } from './vault-errors.js';

/** @default 5 MiB */
export const AUDIT_ROTATE_BYTES = 5 * 1024 * 1024;
export const AUDIT_KEEP_SEGMENTS = 10;
/** How often a kept-open segment is checked to still be the file its path names. */
const IDENTITY_CHECK_MS = 1000;

/** Serialisation order: the vault keys of §12.1, then the `capability.invoked` keys of Decision 16. */
const EVENT_KEYS = [
  'tsMs', 'kind', 'secretId', 'scope', 'actor', 'capability', 'consumer', 'note',
  'credential', 'provider', 'host', 'method', 'path', 'status', 'durationMs', 'requestBytes',
  'responseBytes', 'outcome', 'error', 'workspaceId', 'groupId', 'clientIp', 'transport',
] as const satisfies ReadonlyArray<keyof AuditEvent>;

export interface AuditLog {
  /**
   * Queues one event (absent and null keys omitted) and resolves once its batch was appended (or
   * failed); never throws. Hot-path callers do not wait for it; `flush` does.
   */
  append(event: AuditEvent): Promise<void>;
  /** Resolves once every event queued so far was appended (or failed). */
  flush(): Promise<void>;
  /** Newest first (§12.3), including the `limit = 0` quirk. */
  read(limit: number, beforeTsMs?: number): Promise<AuditEvent[]>;
}

export interface AuditLogOptions {
  fs: FsPort;
  clock: Clock;
  env: EnvMap;
  auditDir: string;
  /** Runtime switch that disables disk writes for this instance. @default false */
  disabled?: boolean;
  /** @default AUDIT_ROTATE_BYTES */
  rotateBytes?: number;
  /**
   * Holds queued lines up to `ms` before appending them, so a busy broker writes one batch per
   * window instead of one or two per call (each append is a thread-pool round trip). `after` must
   * keep the process alive until it fires, so lines still reach the disk before a natural exit;
   * `flush` (and `read`) write at once. @default undefined (append as soon as a line is queued)
   */
  batching?: AuditBatching;
}

export interface AuditBatching {
  ms: number;
  /** Runs `fn` once after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

/** The Node vault's window: short enough that lines land promptly, long enough for many calls per batch. */
export const AUDIT_BATCH_MS = 10;

/** `AIVAULT_DISABLE_DISK_LOGS` / `MOLDABLE_DISABLE_DISK_LOGS`: trimmed, lower-cased `1|true|yes|on`. */
export function diskLogsDisabled(env: EnvMap): boolean {
  const truthy = (v: string | undefined): boolean => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
  return truthy(env['AIVAULT_DISABLE_DISK_LOGS']) || truthy(env['MOLDABLE_DISABLE_DISK_LOGS']);
}

/** The compact JSON line of an event, keys in contract order, absent/null keys omitted. */
export function serialiseAuditEvent(event: AuditEvent): string {
  const out: Record<string, unknown> = {};
  const source = event as unknown as Record<string, unknown>;
  for (const key of EVENT_KEYS) {
    const value = source[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return JSON.stringify(out);
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { fs, auditDir } = options;
  const rotateBytes = options.rotateBytes ?? AUDIT_ROTATE_BYTES;
  const disabled = options.disabled === true || diskLogsDisabled(options.env);

  /** The segment size as this instance last knew it: stat once, then counted per append. */
  let size: { file: string; bytes: number } | null = null;
  let dirReady = false;

  /** Creates the directory once per instance (again only if an append finds it gone). */
  async function appendCreatingDir(file: string, line: Uint8Array): Promise<void> {
    if (!dirReady) {
      await fs.mkdir(auditDir, { recursive: true });
      dirReady = true;
    }
    try {
      await fs.appendFile(file, line);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await fs.mkdir(auditDir, { recursive: true });
      await fs.appendFile(file, line);
    }
  }

  /**
   * The segment kept open between batches where the port can (`openAppend`), with the inode it
   * was opened on and when the path was last checked to still name it.
   */
  let open: { file: string; handle: AppendHandlePort; ino: number | undefined; checkedAtMs: number } | null = null;

  async function closeOpen(): Promise<void> {
    const current = open;
    open = null;
    await current?.handle.close().catch(() => undefined);
  }

  async function openSegment(openAppend: NonNullable<FsPort['openAppend']>, file: string): Promise<AppendHandlePort> {
    if (!dirReady) {
      await fs.mkdir(auditDir, { recursive: true });
      dirReady = true;
    }
    let handle: AppendHandlePort;
    try {
      handle = await openAppend(file);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await fs.mkdir(auditDir, { recursive: true });
      handle = await openAppend(file);
    }
    const ino = await handle.stat().then((s) => s.ino, () => undefined);
    open = { file, handle, ino, checkedAtMs: options.clock.now() };
    size = null;
    return handle;
  }

  /**
   * The open handle for `file`: reopened on a month change, and when, checked at most once a
   * second, the path no longer names the open file (removed, or rotated by another instance).
   */
  async function segmentHandle(openAppend: NonNullable<FsPort['openAppend']>, file: string): Promise<AppendHandlePort> {
    if (open !== null && open.file !== file) await closeOpen();
    if (open === null) return openSegment(openAppend, file);
    const now = options.clock.now();
    if (now - open.checkedAtMs < IDENTITY_CHECK_MS && now >= open.checkedAtMs) return open.handle;
    open.checkedAtMs = now;
    const onDisk = await fs.stat(file).catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw error;
    });
    if (onDisk !== null && (onDisk.ino === undefined || onDisk.ino === open.ino)) return open.handle;
    await closeOpen();
    return openSegment(openAppend, file);
  }

  /** One batch to the end of `file`: through the kept-open handle where the port has one. */
  async function appendBatch(file: string, bytes: Uint8Array): Promise<void> {
    const openAppend = fs.openAppend?.bind(fs);
    if (openAppend === undefined) return appendCreatingDir(file, bytes);
    const handle = await segmentHandle(openAppend, file);
    try {
      await handle.write(bytes);
    } catch (error) {
      await closeOpen();
      throw error;
    }
  }

  async function rotate(file: string): Promise<void> {
    await fs.rm(`${file}.${AUDIT_KEEP_SEGMENTS}`, { force: true });
    for (let n = AUDIT_KEEP_SEGMENTS - 1; n >= 1; n--) {
      await fs.rename(`${file}.${n}`, `${file}.${n + 1}`).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    await fs.rename(file, `${file}.1`);
  }

  /** Lines waiting for the drain, in call order. */
  const queue: Array<{ file: string; line: Uint8Array; done: () => void }> = [];
  let draining: Promise<void> | null = null;
  /** Cancels the pending batching window, while one is armed. */
  let windowCancel: (() => void) | null = null;

  /** Starts the drain now unless one runs (it picks up what is queued); only with a non-empty queue. */
  const startDrain = (): void => {
    windowCancel?.();
    windowCancel = null;
    if (queue.length > 0) draining ??= drain();
  };

  /** A new line: drain now, or at the end of the batching window (a running drain takes it anyway). */
  const schedule = (): void => {
    if (draining !== null || windowCancel !== null) return;
    const batching = options.batching;
    if (batching === undefined || batching.ms <= 0) return startDrain();
    windowCancel = batching.after(batching.ms, () => {
      windowCancel = null;
      startDrain();
    });
  };

  /** Appends one batch (one `appendFile`), then counts it against the segment and rotates if due. */
  async function write(file: string, bytes: Uint8Array): Promise<void> {
    try {
      await appendBatch(file, bytes);
      if (size === null || size.file !== file) size = { file, bytes: (await fs.stat(file)).size };
      else size.bytes += bytes.length;
      if (size.bytes < rotateBytes) return;
      // our count also grows with other processes' lines only when we look: confirm on disk
      size.bytes = (await fs.stat(file)).size;
      if (size.bytes < rotateBytes) return;
      size = null;
      await closeOpen();
      await rotate(file);
    } catch {
      size = null;
      // best-effort (§12.2)
    }
  }

  /**
   * Writes what is queued, batch by batch (consecutive lines of one segment file go together).
   * With batching, only the lines queued when the window closed: later ones wait for the next window.
   */
  async function drain(): Promise<void> {
    let left = options.batching === undefined ? Number.POSITIVE_INFINITY : queue.length;
    while (queue.length > 0 && left > 0) {
      const file = queue[0]!.file;
      let n = 1;
      while (n < queue.length && n < left && queue[n]!.file === file) n++;
      left -= n;
      const batch = queue.splice(0, n);
      await write(file, batch.length === 1 ? batch[0]!.line : concatBytes(batch.map((b) => b.line)));
      for (const b of batch) b.done();
    }
    draining = null;
    if (queue.length > 0) schedule();
  }

  /** Writes everything queued now, then closes the kept-open segment (flush runs before exit and before reads). */
  async function flush(): Promise<void> {
    for (;;) {
      startDrain();
      if (draining === null) break;
      await draining;
    }
    await closeOpen();
  }

  return {
    append(event) {
      if (disabled) return Promise.resolve();
      let file: string;
      let line: Uint8Array;
      try {
        file = joinPath(auditDir, `${monthPrefix(options.clock.now())}.jsonl`);
        line = utf8Encode(`${serialiseAuditEvent(event)}\n`);
      } catch {
        return Promise.resolve();
      }
      return new Promise<void>((done) => {
        queue.push({ file, line, done });
        schedule();
      });
    },
    flush,
    async read(limit, beforeTsMs) {
      await flush();
      const events: AuditEvent[] = [];
      let names: string[];
      try {
        names = await fs.readdir(auditDir);
      } catch {
        return events;
      }
      const files: Array<{ name: string; prefix: string; index: number }> = [];
      for (const name of names) {
        const stat = await fs.stat(joinPath(auditDir, name)).catch(() => null);
        if (stat === null || !stat.isFile()) continue;
        files.push({ name, ...segmentOf(name) });
      }
      files.sort((a, b) => cmp(b.prefix, a.prefix) || a.index - b.index || cmp(b.name, a.name));
      for (const file of files) {
        const bytes = await fs.readFile(joinPath(auditDir, file.name)).catch(() => null);
        const text = bytes === null ? null : utf8DecodeStrict(bytes);
        if (text === null) continue;
        const lines = text.split('\n');
        for (let i = lines.length - 1; i >= 0; i--) {
          const event = parseEvent(lines[i]!);
          if (event === null) continue;
          if (beforeTsMs !== undefined && event.tsMs >= beforeTsMs) continue;
          events.push(event);
          if (events.length >= limit) return events;
        }
      }
      return events;
    },
  };
}

// --- internal ---

function monthPrefix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function segmentOf(name: string): { prefix: string; index: number } {
  const at = name.indexOf('.jsonl');
  if (at < 0) return { prefix: name, index: 0 };
  const rest = name.slice(at + '.jsonl'.length);
  const index = /^\.\d+$/.test(rest) ? Number(rest.slice(1)) : 0;
  return { prefix: name.slice(0, at), index: Number.isSafeInteger(index) ? index : 0 };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const TEXT_KEYS = new Set(['secretId', 'scope', 'actor', 'capability', 'consumer', 'note']);
const KNOWN_KEYS: ReadonlySet<string> = new Set(EVENT_KEYS);

function parseEvent(line: string): AuditEvent | null {
  if (line.trim().length === 0) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const event = value as Record<string, unknown>;
    if (!Number.isSafeInteger(event['tsMs']) || typeof event['kind'] !== 'string') return null;
    // Like the original's typed read: a `null` optional key is absent, a mistyped one spoils the line,
    // a key the event format does not have is dropped (§12.1, cli.md §3.5; Decision 16 keys included).
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(event)) {
      if (field === null || !KNOWN_KEYS.has(key)) continue;
      if (TEXT_KEYS.has(key) && typeof field !== 'string') return null;
      out[key] = field;
    }
    return out as unknown as AuditEvent;
  } catch {
    return null;
  }
}
