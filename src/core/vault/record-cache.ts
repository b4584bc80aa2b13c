/**
 * Parsed secret records kept in memory while the port can watch `secrets/` (see
 * `../stat-watch.ts`): a warm read then costs no filesystem call at all. Each entry is keyed by
 * the `stat` answer taken BEFORE its read — the very object the watched stat keeps returning while
 * no event arrived — so any event for the record (even an in-place edit that keeps size and mtime)
 * or the 1 s safety re-stat means one fresh read. Without `watch` nothing is kept and every read goes to the file, as
 * before (an in-place edit is seen at once). Entries are deep-frozen and shared.
 *
 * @see ../../../docs/decisions.md "Vault" (caches)
 */
import type { StatWatch } from '../stat-watch.js';
import type { SecretRecord } from './records.js';
import type { FileStat } from '../ports.js';

/** Bound on kept records; past it the cache starts over (a daemon touches few secrets). */
const MAX_RECORDS = 1024;

export interface RecordCache {
  /** The record at `path`, from memory while no event or re-stat happened, else `read()` (errors uncached). */
  get(path: string, read: () => Promise<SecretRecord>): Promise<Readonly<SecretRecord>>;
}

export function createRecordCache(watched: StatWatch): RecordCache {
  const entries = new Map<string, { stat: FileStat; record: SecretRecord }>();
  return {
    async get(path, read) {
      if (!watched.watching) {
        entries.clear();
        return read();
      }
      let stat: FileStat;
      try {
        stat = await watched.stat(path);
      } catch {
        entries.delete(path);
        return read();
      }
      const entry = entries.get(path);
      if (entry !== undefined && entry.stat === stat) return entry.record;
      const record = freezeRecord(await read());
      if (entries.size >= MAX_RECORDS) entries.clear();
      entries.set(path, { stat, record });
      return record;
    },
  };
}

function freezeRecord(record: SecretRecord): SecretRecord {
  Object.freeze(record.aliases);
  Object.freeze(record.scope);
  for (const g of record.attachedGroups) Object.freeze(g);
  Object.freeze(record.attachedGroups);
  if (record.ciphertext !== undefined) {
    Object.freeze(record.ciphertext.dekWrapped);
    Object.freeze(record.ciphertext.value);
    Object.freeze(record.ciphertext);
  }
  return Object.freeze(record);
}
