/**
 * Status, unlock and lock. Passphrase vaults cache the verified KEK in memory only
 * (Decision 4); `unlockWithKey` is what the daemon receives from `aivault unlock`.
 *
 * @see ../../../../shared/spec/vault.md §4.2 (status), §5.3; spec/README.md Decisions 4, 18
 */
import { wipe } from '../encoding.js';
import type { VaultStatus } from './types.js';
import type { VaultContext } from './_context.js';
import { auditVault } from './_audit-events.js';
import { readConfig, requireConfig } from './config.js';
import { kekIdOf } from './kek.js';
import { deriveKek, verifyPassphraseKek, type PassphraseProviderConfig } from './providers/passphrase.js';
import { readJournal, recoverRotation } from './rotate-master.js';
import { providerError, vaultFailure } from './vault-errors.js';

export async function vaultStatus(ctx: VaultContext): Promise<VaultStatus> {
  const config = await readConfig(ctx);
  if (config === null) return { enabled: false, providerType: null, locked: true, kekId: null };
  const cached = ctx.keys.cached(config.kekId);
  const locked = config.provider.type === 'passphrase' && cached === null;
  wipe(cached);
  return { enabled: true, providerType: config.provider.type, locked, kekId: config.kekId };
}

/**
 * Derives a passphrase vault's KEK and checks it (`vault provider misconfigured: invalid
 * passphrase`). During an interrupted passphrase rotation either passphrase is accepted.
 * Caller wipes the result; nothing is cached.
 */
export async function deriveKey(ctx: VaultContext, passphrase: string): Promise<Uint8Array> {
  const config = await requireConfig(ctx);
  const candidates: PassphraseProviderConfig[] = [];
  if (config.provider.type === 'passphrase') candidates.push(config.provider);
  const journal = await readJournal(ctx);
  for (const p of journal === null ? [] : [journal.oldProvider, journal.newProvider]) {
    if (p.type === 'passphrase' && !candidates.some((c) => c.kdf.saltB64 === p.kdf.saltB64)) candidates.push(p);
  }
  if (candidates.length === 0) throw vaultFailure(`vault provider '${config.provider.type}' does not use a passphrase`);
  for (const provider of candidates) {
    const kek = await deriveKek(passphrase, provider.kdf);
    try {
      await verifyPassphraseKek(ctx.crypto, provider, kek);
      return kek;
    } catch {
      wipe(kek);
    }
  }
  throw providerError('invalid passphrase');
}

/** Verifies and caches a KEK (passphrase vaults), finishes an interrupted rotation, runs migrations. */
export async function unlockWithKey(
  ctx: VaultContext,
  kek: Uint8Array,
  runMigrations: () => Promise<unknown>,
): Promise<VaultStatus> {
  const config = await requireConfig(ctx);
  if (config.provider.type !== 'passphrase') return vaultStatus(ctx);
  const journal = await readJournal(ctx);
  const kekId = await kekIdOf(ctx.crypto, kek);
  if (journal !== null && (kekId === journal.oldKekId || kekId === journal.newKekId)) {
    await recoverRotation(ctx, [kek]);
  } else {
    await verifyPassphraseKek(ctx.crypto, config.provider, kek);
    ctx.keys.remember(kek, kekId);
  }
  const after = await vaultStatus(ctx);
  if (after.locked) throw providerError('invalid passphrase');
  await auditVault(ctx, 'vault.unlock');
  await runMigrations();
  return after;
}

export async function unlock(ctx: VaultContext, passphrase: string, runMigrations: () => Promise<unknown>): Promise<VaultStatus> {
  const config = await requireConfig(ctx);
  if (config.provider.type !== 'passphrase') return vaultStatus(ctx);
  const kek = await deriveKey(ctx, passphrase);
  try {
    return await unlockWithKey(ctx, kek, runMigrations);
  } finally {
    wipe(kek);
  }
}

export async function lock(ctx: VaultContext): Promise<VaultStatus> {
  ctx.keys.clear();
  await auditVault(ctx, 'vault.lock');
  return vaultStatus(ctx);
}
