/**
 * Secret record files `secrets/<id>.json`: lenient schema, the live-record rule, the metadata
 * view, and atomic writes (secrets/ 0700 re-applied before every write, file 0600).
 *
 * @see ../../../../shared/spec/vault.md §3.1-§3.3, §2.3, §2.4
 */
import { array, boolean, integer, literal, nullable, object, optional, string, type, union } from 'superstruct';
import { atomicWriteFile, isStagingFileName } from '../atomic-write.js';
import { isBrokerError } from '../broker-error.js';
import { joinPath } from '../paths.js';
import { utf8DecodeStrict } from '../encoding.js';
import type { GroupAttachment, Scope, SecretMetadata } from './types.js';
import type { VaultContext } from './_context.js';
import { stagingOptions } from './_context.js';
import type { EnvelopeInput } from './envelope.js';
import { parseJsonFile, prettyJson } from './json-file.js';
import { scopeFromDisk, scopeToDisk } from './scope.js';
import { isSecretId } from './secret-ref.js';
import { ioError, isNotFound, secretNotFound, vaultFailure } from './vault-errors.js';

/** A record in memory (never leaves the vault module). */
export interface SecretRecord {
  secretId: string;
  name: string;
  aliases: string[];
  scope: Scope;
  systemManaged: boolean;
  pinnedProvider?: string | undefined;
  aadVersion: number;
  createdAtMs: number;
  updatedAtMs: number;
  lastUsedAtMs?: number | undefined;
  revokedAtMs?: number | undefined;
  valueVersion: number;
  ciphertext?: EnvelopeInput | undefined;
  attachedGroups: GroupAttachment[];
}

const BlobStruct = type({ alg: string(), nonceB64: string(), ciphertextB64: string() });
const DiskScopeStruct = union([
  literal('global'),
  object({ workspace: type({ workspace_id: string() }) }),
  object({ group: type({ workspace_id: string(), group_id: string() }) }),
]);
const opt = <T, S>(struct: import('superstruct').Struct<T, S>) => optional(nullable(struct));

/** Lenient read (§3.1): unknown keys ignored, `null` = absent, defaults applied afterwards. */
const RecordStruct = type({
  secretId: string(),
  name: string(),
  aliases: opt(array(string())),
  scope: DiskScopeStruct,
  systemManaged: opt(boolean()),
  pinnedProvider: opt(string()),
  aadVersion: opt(integer()),
  createdAtMs: integer(),
  updatedAtMs: integer(),
  lastUsedAtMs: opt(integer()),
  revokedAtMs: opt(integer()),
  valueVersion: opt(integer()),
  ciphertext: opt(type({ alg: string(), dekWrapped: type({ kekId: string(), alg: string(), nonceB64: string(), ciphertextB64: string() }), value: BlobStruct })),
  attachedGroups: opt(array(type({ workspaceId: string(), groupId: string() }))),
});

export function recordPath(ctx: VaultContext, secretId: string): string {
  return joinPath(ctx.paths.secretsDir, `${secretId}.json`);
}

/** The live-record rule (§3.2, applied everywhere): `<uuid>.json`, never a staging file. */
export function liveRecordId(fileName: string): string | null {
  if (isStagingFileName(fileName) || !fileName.endsWith('.json')) return null;
  const id = fileName.slice(0, -'.json'.length);
  return isSecretId(id) ? id : null;
}

/** Parses record bytes; throws a `malformed file …` error naming the file. */
export function parseRecord(path: string, expectedId: string, bytes: Uint8Array): SecretRecord {
  const text = utf8DecodeStrict(bytes);
  if (text !== null && text.trim().length === 0) throw vaultFailure(`secret record '${expectedId}' is empty or corrupt`);
  const raw = parseJsonFile(path, bytes, RecordStruct);
  if (raw.secretId !== expectedId) throw vaultFailure(`malformed file ${path}: invalid value at 'secretId': does not match the file name`);
  return {
    secretId: raw.secretId,
    name: raw.name,
    aliases: raw.aliases ?? [],
    scope: scopeFromDisk(raw.scope),
    systemManaged: raw.systemManaged ?? false,
    pinnedProvider: raw.pinnedProvider ?? undefined,
    aadVersion: raw.aadVersion ?? 0,
    createdAtMs: raw.createdAtMs,
    updatedAtMs: raw.updatedAtMs,
    lastUsedAtMs: raw.lastUsedAtMs ?? undefined,
    revokedAtMs: raw.revokedAtMs ?? undefined,
    valueVersion: raw.valueVersion ?? 0,
    ciphertext: raw.ciphertext ?? undefined,
    attachedGroups: raw.attachedGroups ?? [],
  };
}

/** Reads one record by (already validated) id: `secret not found`, empty/corrupt, malformed. */
export async function readRecord(ctx: VaultContext, secretId: string): Promise<SecretRecord> {
  const path = recordPath(ctx, secretId);
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(path);
  } catch (error) {
    if (isNotFound(error)) throw secretNotFound();
    throw ioError(error);
  }
  return parseRecord(path, secretId, bytes);
}

/** {@link readRecord} through the instance's record cache (shared, frozen: never mutate it). */
export function readRecordShared(ctx: VaultContext, secretId: string): Promise<Readonly<SecretRecord>> {
  return ctx.records.get(recordPath(ctx, secretId), () => readRecord(ctx, secretId));
}

/** Reads every parseable live record (unparseable files are skipped, §3.2). */
export async function readAllRecords(ctx: VaultContext): Promise<SecretRecord[]> {
  const out: SecretRecord[] = [];
  for (const id of await listLiveRecordIds(ctx)) {
    try {
      out.push(await readRecord(ctx, id));
    } catch {
      // skipped silently (§3.2)
    }
  }
  return out;
}

export async function listLiveRecordIds(ctx: VaultContext): Promise<string[]> {
  let names: string[];
  try {
    names = await ctx.fs.readdir(ctx.paths.secretsDir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw ioError(error);
  }
  const ids: string[] = [];
  for (const name of names) {
    const id = liveRecordId(name);
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** Serialises with the original's key order, 2-space pretty JSON. */
export function serialiseRecord(record: SecretRecord): string {
  const out: Record<string, unknown> = {
    secretId: record.secretId,
    name: record.name,
    aliases: record.aliases,
    scope: scopeToDisk(record.scope),
    systemManaged: record.systemManaged,
  };
  if (record.pinnedProvider !== undefined) out['pinnedProvider'] = record.pinnedProvider;
  out['aadVersion'] = record.aadVersion;
  out['createdAtMs'] = record.createdAtMs;
  out['updatedAtMs'] = record.updatedAtMs;
  if (record.lastUsedAtMs !== undefined) out['lastUsedAtMs'] = record.lastUsedAtMs;
  if (record.revokedAtMs !== undefined) out['revokedAtMs'] = record.revokedAtMs;
  out['valueVersion'] = record.valueVersion;
  if (record.ciphertext !== undefined) {
    const c = record.ciphertext;
    out['ciphertext'] = {
      alg: c.alg,
      dekWrapped: { kekId: c.dekWrapped.kekId, alg: c.dekWrapped.alg, nonceB64: c.dekWrapped.nonceB64, ciphertextB64: c.dekWrapped.ciphertextB64 },
      value: { alg: c.value.alg, nonceB64: c.value.nonceB64, ciphertextB64: c.value.ciphertextB64 },
    };
  }
  out['attachedGroups'] = record.attachedGroups.map((g) => ({ workspaceId: g.workspaceId, groupId: g.groupId }));
  return prettyJson(out);
}

/** Atomic write: ensure `secrets/` (0700, failure aborts), staging file 0600, fsync, rename. */
export async function writeRecord(ctx: VaultContext, record: SecretRecord): Promise<void> {
  await ctx.fs.mkdir(ctx.paths.secretsDir, { recursive: true, mode: 0o700 });
  await ctx.fs.chmod(ctx.paths.secretsDir, 0o700);
  await atomicWriteFile(ctx.fs, recordPath(ctx, record.secretId), serialiseRecord(record), stagingOptions(ctx, 0o600));
}

/** The metadata view (§3.3): no ciphertext, no aadVersion; `lastUsedAtMs`/`revokedAtMs` null when unset. */
export function toMetadata(record: SecretRecord): SecretMetadata {
  return {
    secretId: record.secretId,
    name: record.name,
    aliases: [...record.aliases],
    scope: { ...record.scope },
    systemManaged: record.systemManaged,
    ...(record.pinnedProvider === undefined ? {} : { pinnedProvider: record.pinnedProvider }),
    createdAtMs: record.createdAtMs,
    updatedAtMs: record.updatedAtMs,
    lastUsedAtMs: record.lastUsedAtMs ?? null,
    revokedAtMs: record.revokedAtMs ?? null,
    valueVersion: record.valueVersion,
    attachedGroups: record.attachedGroups.map((g) => ({ ...g })),
  };
}

/**
 * Writes a record and keeps this instance's index in step (no rescan for own writes).
 * Filesystem failures become `io error: …`.
 */
export async function saveRecord(ctx: VaultContext, record: SecretRecord): Promise<void> {
  await indexedWrite(ctx, record, () => writeRecord(ctx, record));
}

/**
 * Rewrites a record whose change is advisory (`lastUsedAtMs`): still atomic (staging file +
 * rename, 0600) but without fsync and without re-creating `secrets/`, which the record was just
 * read from. @see docs/decisions.md "Vault" (lastUsedAtMs)
 */
export async function saveAdvisory(ctx: VaultContext, record: SecretRecord): Promise<void> {
  await indexedWrite(ctx, record, () =>
    atomicWriteFile(ctx.fs, recordPath(ctx, record.secretId), serialiseRecord(record), { ...stagingOptions(ctx, 0o600), sync: false }),
  );
}

// --- internal ---

async function indexedWrite(ctx: VaultContext, record: SecretRecord, write: () => Promise<void>): Promise<void> {
  const fresh = await ctx.index.beginWrite();
  try {
    await write();
  } catch (error) {
    await ctx.index.endWrite(record, fresh, false);
    throw isBrokerError(error) ? error : ioError(error);
  }
  await ctx.index.endWrite(record, fresh, true);
}
