/**
 * Parsed secret records kept in memory while the port can watch `secrets/` (see
 * `../stat-watch.ts`): a warm read then costs no filesystem call at all. Each entry is keyed by
 * the record's `stat` signature taken BEFORE its read, so a record replaced meanwhile is read
 * again at the next use. Without `watch` nothing is kept and every read goes to the file, as
 * before (an in-place edit is seen at once). Entries are deep-frozen and shared.
 *
 * @see ../../../docs/decisions.md "Vault" (caches)
 */
import type { StatWatch } from '../stat-watch.js';
import type { SecretRecord } from './records.js';
import { sameSignature, signatureOf, type FileSignature } from './stat-cache.js';

/** Bound on kept records; past it the cache starts over (a daemon touches few secrets). */
const MAX_RECORDS = 1024;

export interface RecordCache {
  /** The record at `path`, from memory while its signature holds, else `read()` (errors uncached). */
  get(path: string, read: () => Promise<SecretRecord>): Promise<Readonly<SecretRecord>>;
}

export function createRecordCache(watched: StatWatch): RecordCache {
  const entries = new Map<string, { signature: FileSignature; record: SecretRecord }>();
  return {
    async get(path, read) {
      if (!watched.watching) {
        entries.clear();
        return read();
      }
      let signature: FileSignature;
      try {
        signature = signatureOf(await watched.stat(path));
      } catch {
        entries.delete(path);
        return read();
      }
      const entry = entries.get(path);
      if (entry !== undefined && sameSignature(entry.signature, signature)) return entry.record;
      const record = freezeRecord(await read());
      if (entries.size >= MAX_RECORDS) entries.clear();
      entries.set(path, { signature, record });
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
