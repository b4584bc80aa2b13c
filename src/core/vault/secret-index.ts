/**
 * The in-memory metadata index of live records, kept by one Vault instance so listing, name
 * lookups and uniqueness checks do not parse every record file each time (issue 3).
 *
 * Freshness is one `stat` of `secrets/`: creating or renaming a file there changes the
 * directory's mtime, so a change by another process forces a full rescan. This instance's own
 * writes update the index in place and adopt the new mtime, so `lastUsedAtMs` updates never
 * force a rescan. Limitation: a change by another process within the same mtime tick as this
 * instance's own snapshot is only seen at the next change (reads by id always go to disk).
 *
 * @see ../../../../shared/spec/vault.md §3.2
 */
import type { FileStat } from '../ports.js';
import type { SecretMetadata } from './types.js';
import { toMetadata, type SecretRecord } from './records.js';

export interface SecretIndex {
  /** Metadata of every parseable live record, rescanning only when `secrets/` changed. */
  entries(): Promise<SecretMetadata[]>;
  /** Call before an own write: whether the snapshot still matches the directory. */
  isFresh(): Promise<boolean>;
  /** Call after an own write with the result of `isFresh()` taken before it. */
  noteWrite(record: SecretRecord, freshBefore: boolean): Promise<void>;
  /** Drops the snapshot; the next `entries()` rescans. */
  invalidate(): void;
}

export interface SecretIndexOptions {
  statSecretsDir: () => Promise<FileStat>;
  scan: () => Promise<SecretRecord[]>;
}

const MISSING = -1;

export function createSecretIndex(options: SecretIndexOptions): SecretIndex {
  let snapshot: { mtimeMs: number; byId: Map<string, SecretMetadata> } | null = null;

  const currentMtime = async (): Promise<number> => {
    try {
      return (await options.statSecretsDir()).mtimeMs;
    } catch {
      return MISSING;
    }
  };

  const isFresh = async (): Promise<boolean> => snapshot !== null && snapshot.mtimeMs === (await currentMtime());

  return {
    async entries() {
      if (!(await isFresh())) {
        const mtimeMs = await currentMtime();
        const byId = new Map<string, SecretMetadata>();
        for (const record of await options.scan()) byId.set(record.secretId, toMetadata(record));
        snapshot = { mtimeMs, byId };
      }
      return [...snapshot!.byId.values()].map(copyMetadata);
    },
    isFresh,
    async noteWrite(record, freshBefore) {
      if (snapshot === null) return;
      if (!freshBefore) {
        snapshot = null;
        return;
      }
      snapshot.byId.set(record.secretId, toMetadata(record));
      snapshot.mtimeMs = await currentMtime();
    },
    invalidate() {
      snapshot = null;
    },
  };
}

// --- internal ---

/** Callers get copies, so nothing they do can change the index. */
function copyMetadata(meta: SecretMetadata): SecretMetadata {
  return { ...meta, aliases: [...meta.aliases], scope: { ...meta.scope }, attachedGroups: meta.attachedGroups.map((g) => ({ ...g })) };
}
