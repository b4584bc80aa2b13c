/**
 * One-time migrations and their bookkeeping file `migrations/applied.json`. The only
 * migration re-encrypts pinned records still under the v1 AAD with the v2 AAD.
 *
 * @see ../../../../shared/spec/vault.md §11
 */
import { array, integer, nullable, optional, string, type } from 'superstruct';
import { atomicWriteFile } from '../atomic-write.js';
import { wipe } from '../encoding.js';
import { dirname } from '../paths.js';
import type { VaultContext } from './_context.js';
import { stagingOptions } from './_context.js';
import { auditSecret } from './_audit-events.js';
import { requireConfig } from './config.js';
import { aadFor, openEnvelope, sealEnvelope } from './envelope.js';
import { parseJsonFile, prettyJson } from './json-file.js';
import { listLiveRecordIds, readRecord, saveRecord } from './records.js';

export const PINNED_AAD_V2_MIGRATION = '2026-02-13-pinned-secrets-aad-v2';

export interface AppliedMigrations {
  schemaVersion: number;
  applied: Array<{ id: string; appliedAtMs: number }>;
}

const AppliedStruct = type({
  schemaVersion: optional(nullable(integer())),
  applied: optional(nullable(array(type({ id: string(), appliedAtMs: integer() })))),
});

/** Unreadable or unparseable → empty; `schemaVersion` 0 → 1. */
export async function readAppliedMigrations(ctx: VaultContext): Promise<AppliedMigrations> {
  try {
    const raw = parseJsonFile(ctx.paths.migrationsPath, await ctx.fs.readFile(ctx.paths.migrationsPath), AppliedStruct);
    const applied = (raw.applied ?? []).map((a) => ({ id: a.id, appliedAtMs: a.appliedAtMs }));
    return { schemaVersion: raw.schemaVersion || 1, applied };
  } catch {
    return { schemaVersion: 1, applied: [] };
  }
}

/**
 * Runs pending migrations. Needs the KEK only when something is pending (errors obtaining it
 * propagate). A migration with any failed record is not recorded, so it retries next time.
 * Returns the number of records migrated.
 */
export async function runMigrations(ctx: VaultContext): Promise<number> {
  const state = await readAppliedMigrations(ctx);
  if (state.applied.some((a) => a.id === PINNED_AAD_V2_MIGRATION)) return 0;
  const config = await requireConfig(ctx);
  const kek = await ctx.keys.get(config);
  let migrated = 0;
  let failures = 0;
  try {
    for (const id of await listLiveRecordIds(ctx)) {
      try {
        await ctx.exclusive(async () => {
          const record = await readRecord(ctx, id).catch(() => null);
          const pinned = record?.pinnedProvider?.trim() ?? '';
          if (record === null || record.revokedAtMs !== undefined || record.ciphertext === undefined) return;
          if (record.aadVersion === 2 || pinned.length === 0) return;
          const value = openEnvelope(record.ciphertext, aadFor({ ...record, aadVersion: 1 }), kek);
          try {
            const next = { ...record, pinnedProvider: pinned, aadVersion: 2, updatedAtMs: ctx.clock.now() };
            await saveRecord(ctx, { ...next, ciphertext: sealEnvelope(ctx.crypto, value, aadFor(next), kek, config.kekId) });
            await auditSecret(ctx, 'secret.migration.harden_aad_v2', next);
            migrated += 1;
          } finally {
            wipe(value);
          }
        });
      } catch {
        failures += 1;
      }
    }
  } finally {
    wipe(kek);
  }
  if (failures === 0) {
    state.applied.push({ id: PINNED_AAD_V2_MIGRATION, appliedAtMs: ctx.clock.now() });
    await writeAppliedMigrations(ctx, state);
  }
  return migrated;
}

// --- internal ---

async function writeAppliedMigrations(ctx: VaultContext, state: AppliedMigrations): Promise<void> {
  const dir = dirname(ctx.paths.migrationsPath);
  await ctx.fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => undefined);
  await ctx.fs.chmod(dir, 0o700).catch(() => undefined);
  const body = prettyJson({ schemaVersion: state.schemaVersion, applied: state.applied });
  await atomicWriteFile(ctx.fs, ctx.paths.migrationsPath, body, stagingOptions(ctx, 0o600)).catch(() => undefined);
}
