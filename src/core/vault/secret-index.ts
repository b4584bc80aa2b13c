/**
 * The in-memory metadata index of live records, kept by one Vault instance so listing, name
 * lookups and uniqueness checks do not parse record files each time (issue 3).
 *
 * Freshness is one `stat` of `secrets/`: creating or renaming a file there changes the
 * directory's signature, so a change by another process forces a full rescan. This instance's
 * own writes update the index in place and adopt the new signature, and while one of them is in
 * flight the snapshot counts as fresh, so marking a secret used never forces a rescan.
 * Limitation: a change by another process within the same mtime tick as this instance's own
 * snapshot, or while an own write is in flight, is only seen at the next change.
 *
 * The entries are frozen and shared: `entries()` is the cached name-sorted list (rebuilt only
 * after a change that adds, removes or renames a record), `named()` answers from a name map.
 *
 * @see ../../../../shared/spec/vault.md §3.2
 */
import type { FileStat } from '../ports.js';
import type { SecretMetadata } from './types.js';
import { compareBytes } from './_ordering.js';
import { toMetadata, type SecretRecord } from './records.js';
import { sameSignature, signatureOf, type FileSignature } from './stat-cache.js';

export interface SecretIndex {
  /** Metadata of every parseable live record sorted by name (byte order), frozen and shared. */
  entries(): Promise<readonly SecretMetadata[]>;
  /** The records whose `name` is one of `names`, in listing order; no copy of the whole index. */
  named(names: readonly string[]): Promise<SecretMetadata[]>;
  /** Call before an own write: whether the snapshot still matches the directory. Counts the write as in flight. */
  beginWrite(): Promise<boolean>;
  /** Call after an own write of `record` with `beginWrite()`'s result; `written` false when it failed. */
  endWrite(record: SecretRecord, freshBefore: boolean, written: boolean): Promise<void>;
  /**
   * Records a use in memory at once; the disk write follows in the background, then `untouch`.
   * Until then even a rescan shows it.
   */
  touch(secretId: string, lastUsedAtMs: number): void;
  /** The background write of a use has settled (written or given up). */
  untouch(secretId: string): void;
  /** The use recorded by `touch` whose write is still pending, if any. */
  touchedAt(secretId: string): number | undefined;
  /** Drops the snapshot; the next read rescans. */
  invalidate(): void;
}

export interface SecretIndexOptions {
  statSecretsDir: () => Promise<FileStat>;
  scan: () => Promise<SecretRecord[]>;
}

const MISSING: FileSignature = { mtimeMs: -1, size: -1, ino: undefined };

interface Snapshot {
  signature: FileSignature;
  byId: Map<string, SecretMetadata>;
  /** Built lazily from `byId`; dropped when a record is added, removed or renamed. */
  sorted: SecretMetadata[] | null;
  byName: Map<string, SecretMetadata[]> | null;
}

export function createSecretIndex(options: SecretIndexOptions): SecretIndex {
  let snapshot: Snapshot | null = null;
  let writesInFlight = 0;
  /** Uses recorded in memory whose advisory write has not finished yet. */
  const touched = new Map<string, number>();

  const currentSignature = async (): Promise<FileSignature> => {
    try {
      return signatureOf(await options.statSecretsDir());
    } catch {
      return MISSING;
    }
  };

  const isFresh = async (): Promise<boolean> => {
    if (snapshot === null) return false;
    if (writesInFlight > 0) return true;
    return sameSignature(snapshot.signature, await currentSignature());
  };

  const current = async (): Promise<Snapshot> => {
    if (snapshot !== null && (await isFresh())) return snapshot;
    const signature = await currentSignature();
    const byId = new Map<string, SecretMetadata>();
    for (const record of await options.scan()) byId.set(record.secretId, freeze(toMetadata(record)));
    for (const [id, lastUsedAtMs] of touched) {
      const meta = byId.get(id);
      if (meta !== undefined && (meta.lastUsedAtMs ?? -Infinity) < lastUsedAtMs) byId.set(id, Object.freeze({ ...meta, lastUsedAtMs }));
    }
    snapshot = { signature, byId, sorted: null, byName: null };
    return snapshot;
  };

  const sortedOf = (snap: Snapshot): SecretMetadata[] => {
    if (snap.sorted === null) {
      snap.sorted = [...snap.byId.values()].sort((a, b) => compareBytes(a.name, b.name));
      snap.byName = null;
    }
    return snap.sorted;
  };

  const byNameOf = (snap: Snapshot): Map<string, SecretMetadata[]> => {
    if (snap.byName === null) {
      const map = new Map<string, SecretMetadata[]>();
      for (const meta of sortedOf(snap)) {
        const list = map.get(meta.name);
        if (list === undefined) map.set(meta.name, [meta]);
        else list.push(meta);
      }
      snap.byName = map;
    }
    return snap.byName;
  };

  /** Puts `next` in place of the entry with the same id; a new id or a new name drops the sorted views. */
  const replace = (snap: Snapshot, next: SecretMetadata): void => {
    const before = snap.byId.get(next.secretId);
    snap.byId.set(next.secretId, next);
    if (before === undefined || before.name !== next.name) {
      snap.sorted = null;
      snap.byName = null;
      return;
    }
    const named = snap.byName?.get(next.name);
    const at = named?.indexOf(before) ?? -1;
    if (at >= 0) named![at] = next;
    const sorted = snap.sorted;
    if (sorted === null) return;
    for (let i = lowerBound(sorted, next.name); i < sorted.length && sorted[i]!.name === next.name; i++) {
      if (sorted[i] === before) sorted[i] = next;
    }
  };

  return {
    entries: async () => sortedOf(await current()),
    async named(names) {
      const map = byNameOf(await current());
      const wanted = [...new Set(names)].sort(compareBytes);
      const out: SecretMetadata[] = [];
      for (const name of wanted) out.push(...(map.get(name) ?? []));
      return out;
    },
    async beginWrite() {
      const fresh = await isFresh();
      writesInFlight += 1;
      return fresh;
    },
    async endWrite(record, freshBefore, written) {
      writesInFlight -= 1;
      if (snapshot === null) return;
      if (!freshBefore || !written) {
        snapshot = null;
        return;
      }
      replace(snapshot, freeze(toMetadata(record)));
      if (writesInFlight === 0) snapshot.signature = await currentSignature();
    },
    touch(secretId, lastUsedAtMs) {
      touched.set(secretId, lastUsedAtMs);
      const before = snapshot?.byId.get(secretId);
      if (snapshot === null || before === undefined) return;
      replace(snapshot, Object.freeze({ ...before, lastUsedAtMs }));
    },
    untouch(secretId) {
      touched.delete(secretId);
    },
    touchedAt: (secretId) => touched.get(secretId),
    invalidate() {
      snapshot = null;
    },
  };
}

// --- internal ---

/** Entries are shared by every caller, so nothing a caller does can change the index. */
function freeze(meta: SecretMetadata): SecretMetadata {
  Object.freeze(meta.aliases);
  Object.freeze(meta.scope);
  for (const g of meta.attachedGroups) Object.freeze(g);
  Object.freeze(meta.attachedGroups);
  return Object.freeze(meta);
}

/** The first index whose name is not below `name` (byte order). */
function lowerBound(sorted: readonly SecretMetadata[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(sorted[mid]!.name, name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
