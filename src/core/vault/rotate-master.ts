/**
 * Crash-safe master-key rotation (Decision 5) and the recovery of an interrupted one.
 *
 * ## Journal: `<vault root>/state/rotation.json`
 *
 * Written atomically (staging file + fsync + rename, mode 0600, `state/` 0700) BEFORE any
 * record, key file or `vault.json` changes, removed after the rotation is complete:
 *
 * ```json
 * {
 *   "version": 1,
 *   "startedAtMs": 1760000000000,
 *   "oldKekId": "<64 hex: fingerprint of the key in use>",
 *   "newKekId": "<64 hex: fingerprint of the new key>",
 *   "oldProvider": { "type": "file", "path": "…" },
 *   "newProvider": { "type": "file", "path": "…" },
 *   "newKeyWrapped": { "alg": "xchacha20poly1305", "nonceB64": "…", "ciphertextB64": "…" },
 *   "oldKeyWrapped": { "alg": "xchacha20poly1305", "nonceB64": "…", "ciphertextB64": "…" }
 * }
 * ```
 *
 * - `newKeyWrapped` is the new KEK sealed under the old KEK with AAD
 *   `vault:rotation:v1:new:<oldKekId>:<newKekId>`; `oldKeyWrapped` is the old KEK sealed under
 *   the new KEK with AAD `vault:rotation:v1:old:<oldKekId>:<newKekId>`. Whoever holds either key
 *   can recover the other, so no crash point leaves a record that no available key opens.
 * - The providers are `vault.json` provider objects (never key material).
 *
 * ## Steps
 *
 * 1. write the journal; 2. re-wrap every live record's DEK to the new key (one atomic write per
 * record; `dekWrapped.kekId` tells which key wraps it, and unwrapping tries both keys); 3. for
 * the `file` provider, write the new key to the key file; 4. write `vault.json` with the new
 * provider and `kekId` — the COMMIT POINT; 5. remove the journal.
 *
 * ## Recovery (on `load()`, `unlock`, and before a new rotation)
 *
 * With a journal present, a key is looked for (the passphrase cache, the key file or env var of
 * either provider, or a key being unlocked). If `vault.json` already names `newKekId` the
 * rotation is FINISHED (remaining records re-wrapped to the new key, key file ensured); else
 * it is ROLLED BACK (records re-wrapped to the old key, old key file restored). Then the
 * journal is removed. A locked passphrase vault keeps the journal until it is unlocked (with
 * either the old or the new passphrase). A rotation that fails in-process rolls back at once
 * when it can; otherwise the next load does.
 *
 * @see ../../../../shared/spec/vault.md §5.5; spec/README.md Decisions 5, 18
 */
import { object, integer, literal, string, type } from 'superstruct';
import { match } from 'ts-pattern';
import { atomicWriteFile } from '../atomic-write.js';
import { isBrokerError } from '../broker-error.js';
import { utf8Encode, wipe } from '../encoding.js';
import { joinPath } from '../paths.js';
import type { KeyProviderConfig } from './types.js';
import type { VaultContext } from './_context.js';
import { stagingOptions } from './_context.js';
import { auditVault } from './_audit-events.js';
import { randomBytes } from './_crypto-helpers.js';
import { aeadOpen, aeadSeal, NONCE_BYTES } from './aead.js';
import { ProviderStruct, requireConfig, writeConfig, type VaultConfig } from './config.js';
import { aadFor, ENVELOPE_ALG, unwrapDek } from './envelope.js';
import { parseJsonFile, prettyJson } from './json-file.js';
import { kekIdOf, parseKeyText } from './kek.js';
import { readEnvKey } from './providers/env.js';
import { readKeyFile, writeKeyFile } from './providers/file.js';
import { keychainUnavailable } from './providers/macos-keychain.js';
import { createPassphraseProvider } from './providers/passphrase.js';
import { listLiveRecordIds, readRecord, saveRecord } from './records.js';
import { ioError, isNotFound, providerError, vaultFailure } from './vault-errors.js';

const BlobStruct = type({ alg: literal('xchacha20poly1305'), nonceB64: string(), ciphertextB64: string() });
const JournalStruct = object({
  version: literal(1),
  startedAtMs: integer(),
  oldKekId: string(),
  newKekId: string(),
  oldProvider: ProviderStruct,
  newProvider: ProviderStruct,
  newKeyWrapped: BlobStruct,
  oldKeyWrapped: BlobStruct,
});

export interface RotationJournal {
  version: 1;
  startedAtMs: number;
  oldKekId: string;
  newKekId: string;
  oldProvider: KeyProviderConfig;
  newProvider: KeyProviderConfig;
  newKeyWrapped: { alg: 'xchacha20poly1305'; nonceB64: string; ciphertextB64: string };
  oldKeyWrapped: { alg: 'xchacha20poly1305'; nonceB64: string; ciphertextB64: string };
}

export function journalPath(ctx: VaultContext): string {
  return joinPath(ctx.paths.stateDir, 'rotation.json');
}

/** `rotate-master`: new key from `newPassphrase` (any provider) or `newKey` (file/env). */
export async function rotateMasterKey(ctx: VaultContext, options: { newKey?: string; newPassphrase?: string }): Promise<void> {
  const pending = (await recoverRotation(ctx)) === 'pending';
  const config = await requireConfig(ctx);
  const oldKek = await ctx.keys.get(config);
  if (pending) {
    // the configured key opens neither side of the interrupted rotation's journal
    wipe(oldKek);
    throw providerError('decrypt failed');
  }
  let next: { provider: KeyProviderConfig; kek: Uint8Array } | null = null;
  try {
    next = await newKeyFor(ctx, config, options);
    const newKekId = await kekIdOf(ctx.crypto, next.kek);
    const keys = { oldKek, newKek: next.kek, oldKekId: config.kekId, newKekId };
    const journal = buildJournal(ctx, config, next.provider, keys);
    await guardIo(() => writeJournal(ctx, journal));
    try {
      await rewrapRecords(ctx, { from: oldKek, to: next.kek, toKekId: newKekId, strict: true });
      if (next.provider.type === 'file') await ensureKeyFile(ctx, next.provider.path, next.kek, newKekId);
      await guardIo(() => writeConfig(ctx, { ...config, provider: next!.provider, kekId: newKekId, updatedAtMs: ctx.clock.now() }));
    } catch (error) {
      await rollBack(ctx, journal, keys).catch(() => undefined);
      throw error;
    }
    rememberFor(ctx, next.provider, next.kek, newKekId);
    await ctx.fs.rm(journalPath(ctx), { force: true }).catch(() => undefined);
    await auditVault(ctx, 'vault.rotate_master_key');
  } finally {
    wipe(oldKek);
    wipe(next?.kek);
  }
}

/**
 * Finishes or rolls back an interrupted rotation. `offered` keys (a key being unlocked) are
 * tried first. `pending` means a journal exists but no key that opens it is available.
 */
export async function recoverRotation(ctx: VaultContext, offered: Uint8Array[] = []): Promise<'none' | 'recovered' | 'pending'> {
  const journal = await readJournal(ctx);
  if (journal === null) return 'none';
  const config = await requireConfig(ctx);
  if (config.kekId !== journal.oldKekId && config.kekId !== journal.newKekId) {
    throw vaultFailure(`malformed file ${journalPath(ctx)}: its keys do not match vault.json`);
  }
  const keys = await obtainKeys(ctx, journal, offered);
  if (keys === null) return 'pending';
  try {
    if (config.kekId === journal.newKekId) await rollForward(ctx, journal, keys);
    else await rollBack(ctx, journal, keys);
  } finally {
    wipe(keys.oldKek);
    wipe(keys.newKek);
  }
  return 'recovered';
}

/** Reads the journal; `null` when none. A malformed journal fails closed naming the file. */
export async function readJournal(ctx: VaultContext): Promise<RotationJournal | null> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(journalPath(ctx));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw ioError(error);
  }
  return parseJsonFile(journalPath(ctx), bytes, JournalStruct) as RotationJournal;
}

// --- internal ---

interface RotationKeys {
  oldKek: Uint8Array;
  newKek: Uint8Array;
  oldKekId: string;
  newKekId: string;
}

const wrapAad = (kind: 'new' | 'old', oldKekId: string, newKekId: string): Uint8Array =>
  utf8Encode(`vault:rotation:v1:${kind}:${oldKekId}:${newKekId}`);

async function newKeyFor(
  ctx: VaultContext,
  config: VaultConfig,
  options: { newKey?: string; newPassphrase?: string },
): Promise<{ provider: KeyProviderConfig; kek: Uint8Array }> {
  if (options.newPassphrase !== undefined && options.newPassphrase.length > 0) {
    return createPassphraseProvider(ctx.crypto, options.newPassphrase, ctx.kdf);
  }
  return match(config.provider)
    .with({ type: 'macos_keychain' }, () => Promise.reject(keychainUnavailable()))
    .with({ type: 'passphrase' }, () => Promise.reject(vaultFailure('new_passphrase required for passphrase rotation')))
    .with({ type: 'file' }, { type: 'env' }, (provider) => {
      if (options.newKey === undefined || options.newKey.trim().length === 0) {
        return Promise.reject(vaultFailure('new_key required for env/file provider rotation'));
      }
      return Promise.resolve({ provider, kek: parseKeyText(options.newKey) });
    })
    .exhaustive();
}

function buildJournal(ctx: VaultContext, config: VaultConfig, newProvider: KeyProviderConfig, keys: RotationKeys): RotationJournal {
  return {
    version: 1,
    startedAtMs: ctx.clock.now(),
    oldKekId: keys.oldKekId,
    newKekId: keys.newKekId,
    oldProvider: config.provider,
    newProvider,
    newKeyWrapped: aeadSeal(keys.oldKek, keys.newKek, wrapAad('new', keys.oldKekId, keys.newKekId), randomBytes(ctx.crypto, NONCE_BYTES)),
    oldKeyWrapped: aeadSeal(keys.newKek, keys.oldKek, wrapAad('old', keys.oldKekId, keys.newKekId), randomBytes(ctx.crypto, NONCE_BYTES)),
  };
}

async function writeJournal(ctx: VaultContext, journal: RotationJournal): Promise<void> {
  await ctx.fs.mkdir(ctx.paths.stateDir, { recursive: true, mode: 0o700 });
  await ctx.fs.chmod(ctx.paths.stateDir, 0o700).catch(() => undefined);
  await atomicWriteFile(ctx.fs, journalPath(ctx), prettyJson(journal), stagingOptions(ctx, 0o600));
}

/** Rolls forward after the commit point: remaining records to the new key, key file ensured. */
async function rollForward(ctx: VaultContext, journal: RotationJournal, keys: RotationKeys): Promise<void> {
  await rewrapRecords(ctx, { from: keys.oldKek, to: keys.newKek, toKekId: keys.newKekId, strict: false });
  if (journal.newProvider.type === 'file') await ensureKeyFile(ctx, journal.newProvider.path, keys.newKek, keys.newKekId);
  rememberFor(ctx, journal.newProvider, keys.newKek, keys.newKekId);
  await guardIo(() => ctx.fs.rm(journalPath(ctx), { force: true }));
}

/** Rolls back before the commit point: records to the old key, old key file restored. */
async function rollBack(ctx: VaultContext, journal: RotationJournal, keys: RotationKeys): Promise<void> {
  await rewrapRecords(ctx, { from: keys.newKek, to: keys.oldKek, toKekId: keys.oldKekId, strict: false });
  if (journal.oldProvider.type === 'file') await ensureKeyFile(ctx, journal.oldProvider.path, keys.oldKek, keys.oldKekId);
  rememberFor(ctx, journal.oldProvider, keys.oldKek, keys.oldKekId);
  await guardIo(() => ctx.fs.rm(journalPath(ctx), { force: true }));
}

/**
 * Re-wraps every live record whose DEK opens under `from` to `to` (fresh nonce, same AAD, value
 * untouched). Records already under `to` are skipped. `strict`: a record neither key opens
 * aborts (forward rotation); otherwise it is left as is (recovery).
 */
async function rewrapRecords(
  ctx: VaultContext,
  step: { from: Uint8Array; to: Uint8Array; toKekId: string; strict: boolean },
): Promise<void> {
  for (const id of await listLiveRecordIds(ctx)) {
    await ctx.exclusive(async () => {
      const record = await readRecord(ctx, id).catch(() => null);
      if (record === null || record.revokedAtMs !== undefined || record.ciphertext === undefined) return;
      let aad: Uint8Array;
      let dek: Uint8Array;
      try {
        aad = aadFor(record);
        dek = unwrapDek(record.ciphertext, aad, step.from);
      } catch (error) {
        if (opensWith(record.ciphertext, record, step.to) || !step.strict) return;
        throw error;
      }
      try {
        const wrapped = aeadSeal(step.to, dek, aad, randomBytes(ctx.crypto, NONCE_BYTES));
        const ciphertext = { alg: ENVELOPE_ALG, dekWrapped: { kekId: step.toKekId, ...wrapped }, value: record.ciphertext.value };
        await saveRecord(ctx, { ...record, ciphertext, updatedAtMs: ctx.clock.now() });
      } finally {
        wipe(dek);
      }
    });
  }
}

function opensWith(ciphertext: Parameters<typeof unwrapDek>[0], record: Parameters<typeof aadFor>[0], kek: Uint8Array): boolean {
  try {
    wipe(unwrapDek(ciphertext, aadFor(record), kek));
    return true;
  } catch {
    return false;
  }
}

/** Writes `kek` to the key file unless it already holds a key with that fingerprint. */
async function ensureKeyFile(ctx: VaultContext, path: string, kek: Uint8Array, kekId: string): Promise<void> {
  const current = await readKeyFile(ctx, path).catch(() => null);
  if (current !== null) {
    const id = await kekIdOf(ctx.crypto, current);
    wipe(current);
    if (id === kekId) return;
  }
  await guardIo(() => writeKeyFile(ctx, path, kek));
}

function rememberFor(ctx: VaultContext, provider: KeyProviderConfig, kek: Uint8Array, kekId: string): void {
  if (provider.type === 'passphrase') ctx.keys.remember(kek, kekId);
  else ctx.keys.clear();
}

/** Any available key that opens the journal gives both keys. */
async function obtainKeys(ctx: VaultContext, journal: RotationJournal, offered: Uint8Array[]): Promise<RotationKeys | null> {
  const candidates: Uint8Array[] = offered.map((k) => k.slice());
  for (const id of [journal.oldKekId, journal.newKekId]) {
    const cached = ctx.keys.cached(id);
    if (cached !== null) candidates.push(cached);
  }
  for (const provider of [journal.oldProvider, journal.newProvider]) {
    const read = await readProviderKey(ctx, provider);
    if (read !== null) candidates.push(read);
  }
  let found: RotationKeys | null = null;
  for (const candidate of candidates) {
    if (found === null) {
      const id = await kekIdOf(ctx.crypto, candidate);
      const ids = { oldKekId: journal.oldKekId, newKekId: journal.newKekId };
      try {
        if (id === journal.oldKekId) {
          const newKek = aeadOpen(candidate, journal.newKeyWrapped, wrapAad('new', ids.oldKekId, ids.newKekId));
          found = { oldKek: candidate.slice(), newKek, ...ids };
        } else if (id === journal.newKekId) {
          const oldKek = aeadOpen(candidate, journal.oldKeyWrapped, wrapAad('old', ids.oldKekId, ids.newKekId));
          found = { oldKek, newKek: candidate.slice(), ...ids };
        }
      } catch {
        // a journal this key cannot open: try the next candidate
      }
    }
    wipe(candidate);
  }
  return found;
}

async function readProviderKey(ctx: VaultContext, provider: KeyProviderConfig): Promise<Uint8Array | null> {
  try {
    if (provider.type === 'file') return await readKeyFile(ctx, provider.path);
    if (provider.type === 'env') return readEnvKey(ctx.env, provider.env_var);
  } catch {
    // unavailable: another candidate may do
  }
  return null;
}

/** Filesystem failures become `io error: …`; contract errors pass through. */
async function guardIo<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw isBrokerError(error) ? error : ioError(error);
  }
}
