/**
 * Reading secret values: reference parsing, the scope rule on every read (Decision 2),
 * decryption, `lastUsedAtMs` + `secret.used` for the one secret actually read; HMAC signing;
 * lookup of global secrets by name.
 *
 * @see ../../../../shared/spec/vault.md §8.1, §8.2, §3.6; security.md §8.1
 */
import { wipe } from '../encoding.js';
import type { ResolveOptions } from './types.js';
import type { VaultContext } from './_context.js';
import { auditSecret } from './_audit-events.js';
import { compareBytes } from './_ordering.js';
import { requireConfig } from './config.js';
import { aadFor, openEnvelope } from './envelope.js';
import { readRecord, readRecordShared, saveAdvisory, type SecretRecord } from './records.js';
import { accessContextOf, groupNote, scopeAllows } from './scope.js';
import { parseSecretRef, secretRefOf } from './secret-ref.js';
import { notAccessible, vaultFailure } from './vault-errors.js';
import { hmacSha256Hex } from './_crypto-helpers.js';

/** `lastUsedAtMs` is rewritten when older than this (or unset). */
export const LAST_USED_REFRESH_MS = 60_000;

/** @default 1 MiB */
export const HMAC_MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * `vault:secret:<id>` → plaintext (caller wipes). Denied reads audit `secret.access.denied`
 * and fail with `secret not accessible`; revoked → `secret revoked`.
 */
export async function resolveSecret(ctx: VaultContext, secretRef: string, options: ResolveOptions = {}): Promise<Uint8Array> {
  const secretId = parseSecretRef(secretRef);
  const context = accessContextOf(options);
  // independent reads in parallel (the key only needs the config); a missing vault still wins
  // over a record error, and scope/revocation over an unavailable key
  const configPromise = requireConfig(ctx);
  const [configRead, recordRead, keyRead] = await Promise.allSettled([
    configPromise,
    readRecordShared(ctx, secretId),
    configPromise.then((config) => ctx.keys.get(config)),
  ]);
  const kek = keyRead.status === 'fulfilled' ? keyRead.value : null;
  let value: Uint8Array;
  let record: Readonly<SecretRecord>;
  try {
    if (configRead.status === 'rejected') throw configRead.reason;
    if (recordRead.status === 'rejected') throw recordRead.reason;
    record = recordRead.value;
    if (options.skipScopeCheck !== true && !scopeAllows(record, context)) {
      const note = context.workspaceId !== null && context.groupId !== null ? groupNote(context.workspaceId, context.groupId) : undefined;
      await auditSecret(ctx, 'secret.access.denied', record, note === undefined ? {} : { note });
      throw notAccessible();
    }
    if (record.revokedAtMs !== undefined || record.ciphertext === undefined) throw vaultFailure('secret revoked');
    if (keyRead.status === 'rejected') throw keyRead.reason;
    value = openEnvelope(record.ciphertext, aadFor(record), keyRead.value);
  } finally {
    if (kek !== null) wipe(kek);
  }
  markUsed(ctx, record);
  // queued in order, appended right away; the call does not wait (`vault.flush()` does)
  void auditSecret(ctx, 'secret.used', record, {
    ...(options.purpose === undefined ? {} : { capability: options.purpose }),
    ...(options.consumer === undefined ? {} : { consumer: options.consumer }),
  });
  return value;
}

/** HMAC-SHA-256 keyed by the raw secret bytes, lowercase hex (payload ≤ 1 MiB). */
export async function signHmacSha256(ctx: VaultContext, secretRef: string, payload: Uint8Array, options: ResolveOptions = {}): Promise<string> {
  if (payload.length > HMAC_MAX_PAYLOAD_BYTES) throw vaultFailure('HMAC payload is too large');
  const key = await resolveSecret(ctx, secretRef, options);
  try {
    return await hmacSha256Hex(ctx.crypto, key, payload);
  } finally {
    wipe(key);
  }
}

/** Among non-revoked global records named or aliased `nameOrAlias`, the smallest id's ref; else null. */
export async function findGlobalRefByName(ctx: VaultContext, nameOrAlias: string): Promise<string | null> {
  const wanted = nameOrAlias.trim();
  if (wanted.length === 0) return null;
  await requireConfig(ctx);
  const ids = (await ctx.index.entries())
    .filter((e) => e.scope.kind === 'global' && e.revokedAtMs === null && (e.name === wanted || e.aliases.includes(wanted)))
    .map((e) => e.secretId)
    .sort(compareBytes);
  return ids[0] === undefined ? null : secretRefOf(ids[0]);
}

// --- internal ---

/**
 * `lastUsedAtMs` is advisory (§8.1 step 4 ignores write failures): it is rewritten only when unset
 * or at least {@link LAST_USED_REFRESH_MS} old, in the background (the caller does not wait), and
 * without fsync. The index shows the new value at once. The write re-reads the record under the
 * instance lock so a concurrent change is never overwritten.
 * @see docs/decisions.md "Vault" (lastUsedAtMs)
 */
function markUsed(ctx: VaultContext, record: Readonly<SecretRecord>): void {
  const now = ctx.clock.now();
  if (!isStale(record.lastUsedAtMs, now)) return;
  const { secretId } = record;
  ctx.index.touch(secretId, now);
  ctx.background.run(`used:${secretId}`, async () => {
    try {
      await ctx.exclusive(async () => {
        const fresh = await readRecord(ctx, secretId);
        if (isStale(fresh.lastUsedAtMs, now)) await saveAdvisory(ctx, { ...fresh, lastUsedAtMs: now });
      });
    } finally {
      ctx.index.untouch(secretId);
    }
  });
}

function isStale(lastUsedAtMs: number | undefined, now: number): boolean {
  return lastUsedAtMs === undefined || now - lastUsedAtMs >= LAST_USED_REFRESH_MS || now < lastUsedAtMs;
}
