/**
 * Secret lifecycle: create, update, rotate, revoke, attach/detach, system-managed flag, pin.
 * Every mutation re-reads the record under this instance's lock, writes atomically and audits.
 *
 * @see ../../../../shared/spec/vault.md §3.4, §3.6, §7; spec/README.md Decision 6
 */
import { wipe } from '../encoding.js';
import type { MutationOptions, Scope, SecretMetadata } from './types.js';
import type { VaultContext } from './_context.js';
import { auditSecret } from './_audit-events.js';
import { compareBytes } from './_ordering.js';
import { requireConfig } from './config.js';
import { aadFor, openEnvelope, sealEnvelope } from './envelope.js';
import { readRecord, readRecordShared, saveRecord, toMetadata, type SecretRecord } from './records.js';
import { groupNote, normaliseScope } from './scope.js';
import { checkSecretId } from './secret-ref.js';
import { vaultFailure } from './vault-errors.js';

export interface CreateSecretInput {
  name: string;
  value: Uint8Array;
  scope: Scope;
  aliases?: string[];
  systemManaged?: boolean;
}

/** Aliases: trimmed, blanks dropped, de-duplicated, sorted ascending (§3.4). */
export function normaliseAliases(aliases: readonly string[]): string[] {
  const set = new Set(aliases.map((a) => a.trim()).filter((a) => a.length > 0));
  return [...set].sort(compareBytes);
}

export async function createSecret(ctx: VaultContext, input: CreateSecretInput): Promise<SecretMetadata> {
  const name = requireName(input.name);
  const aliases = normaliseAliases(input.aliases ?? []);
  const scope = normaliseScope(input.scope);
  const config = await requireConfig(ctx);
  const kek = await ctx.keys.get(config);
  try {
    return await ctx.exclusive(async () => {
      if (scope.kind === 'global') await checkGlobalUniqueness(ctx, null, name, aliases);
      const now = ctx.clock.now();
      const secretId = ctx.uuid().toLowerCase();
      const base = { secretId, scope, aadVersion: 1 };
      const record: SecretRecord = {
        secretId,
        name,
        aliases,
        scope,
        systemManaged: input.systemManaged === true,
        aadVersion: 1,
        createdAtMs: now,
        updatedAtMs: now,
        valueVersion: 1,
        ciphertext: sealEnvelope(ctx.crypto, input.value, aadFor(base), kek, config.kekId),
        attachedGroups: [],
      };
      await saveRecord(ctx, record);
      await auditSecret(ctx, 'secret.create', record);
      return toMetadata(record);
    });
  } finally {
    wipe(kek);
  }
}

/**
 * Reads the record itself (one read: an in-place edit by another process is seen at once, and a
 * bad file gives the contract's error), showing a use whose background write is still pending.
 */
export async function getSecret(ctx: VaultContext, secretId: string): Promise<SecretMetadata> {
  checkSecretId(secretId);
  await requireConfig(ctx);
  const meta = toMetadata(await readRecordShared(ctx, secretId));
  const touched = ctx.index.touchedAt(secretId);
  if (touched !== undefined && (meta.lastUsedAtMs ?? -Infinity) < touched) meta.lastUsedAtMs = touched;
  return meta;
}

/** The index's cached name-sorted list (entries are frozen and shared; the array is the caller's). */
export async function listSecrets(ctx: VaultContext): Promise<SecretMetadata[]> {
  await requireConfig(ctx);
  return (await ctx.index.entries()).slice();
}

/** Metadata (revoked included) of the records named one of `names`, from the index's name map. */
export async function secretsNamed(ctx: VaultContext, names: readonly string[]): Promise<SecretMetadata[]> {
  await requireConfig(ctx);
  return (await ctx.index.named(names)).map(copyMetadata);
}

export function updateSecret(
  ctx: VaultContext,
  secretId: string,
  patch: { name?: string; aliases?: string[] },
  options: MutationOptions = {},
): Promise<SecretMetadata> {
  return mutate(ctx, secretId, options, 'secret.update', async (record) => {
    const name = patch.name === undefined ? record.name : requireName(patch.name);
    const aliases = patch.aliases === undefined ? record.aliases : normaliseAliases(patch.aliases);
    if (record.scope.kind === 'global') await checkGlobalUniqueness(ctx, record.secretId, name, aliases);
    return { ...record, name, aliases };
  });
}

export function rotateSecret(ctx: VaultContext, secretId: string, value: Uint8Array, options: MutationOptions = {}): Promise<SecretMetadata> {
  return mutate(ctx, secretId, options, 'secret.rotate', async (record) => {
    if (record.revokedAtMs !== undefined) throw vaultFailure('secret revoked');
    const config = await requireConfig(ctx);
    const kek = await ctx.keys.get(config);
    try {
      const ciphertext = sealEnvelope(ctx.crypto, value, aadFor(record), kek, config.kekId);
      return { ...record, ciphertext, valueVersion: Math.max(record.valueVersion + 1, 2) };
    } finally {
      wipe(kek);
    }
  });
}

export function revokeSecret(ctx: VaultContext, secretId: string, options: MutationOptions = {}): Promise<SecretMetadata> {
  return mutate(ctx, secretId, options, 'secret.revoke', async (record) => ({
    ...record,
    revokedAtMs: ctx.clock.now(),
    ciphertext: undefined,
  }));
}

export function attachGroup(ctx: VaultContext, secretId: string, workspaceId: string, groupId: string): Promise<SecretMetadata> {
  const ws = workspaceId.trim();
  const group = groupId.trim();
  if (ws.length === 0 || group.length === 0) return Promise.reject(vaultFailure('workspace and group_id required'));
  return mutate(ctx, secretId, {}, 'secret.attach', async (record) => {
    const present = record.attachedGroups.some((a) => a.workspaceId === ws && a.groupId === group);
    const attachedGroups = present ? record.attachedGroups : [...record.attachedGroups, { workspaceId: ws, groupId: group }];
    return { ...record, attachedGroups };
  }, groupNote(ws, group));
}

export function detachGroup(ctx: VaultContext, secretId: string, workspaceId: string, groupId: string): Promise<SecretMetadata> {
  const ws = workspaceId.trim();
  const group = groupId.trim();
  return mutate(ctx, secretId, {}, 'secret.detach', async (record) => ({
    ...record,
    attachedGroups: record.attachedGroups.filter((a) => !(a.workspaceId.trim() === ws && a.groupId.trim() === group)),
  }), groupNote(ws, group));
}

export function setSystemManaged(ctx: VaultContext, secretId: string, flag: boolean): Promise<SecretMetadata> {
  return mutate(ctx, secretId, {}, 'secret.system_managed', async (record) =>
    record.systemManaged === flag ? null : { ...record, systemManaged: flag },
  );
}

/**
 * Pins a secret to a provider (one-way): decrypt under the v1 AAD, re-encrypt under v2 with a
 * fresh DEK. @see ../../../../shared/spec/vault.md §7
 */
export function pinProvider(ctx: VaultContext, secretId: string, provider: string): Promise<SecretMetadata> {
  const pinned = provider.trim();
  if (pinned.length === 0) return Promise.reject(vaultFailure('provider required'));
  return mutate(ctx, secretId, {}, 'secret.pin_provider', async (record) => {
    const current = record.pinnedProvider?.trim();
    if (current !== undefined && current.length > 0) {
      if (current === pinned && record.aadVersion === 2) return null;
      if (current !== pinned) throw vaultFailure(`secret pinnedProvider is immutable (already pinned to '${current}')`);
    }
    if (record.ciphertext === undefined) throw vaultFailure('secret missing ciphertext');
    const config = await requireConfig(ctx);
    const kek = await ctx.keys.get(config);
    let value: Uint8Array | undefined;
    try {
      value = openEnvelope(record.ciphertext, aadFor({ ...record, aadVersion: 1 }), kek);
      const next = { ...record, pinnedProvider: pinned, aadVersion: 2 };
      return { ...next, ciphertext: sealEnvelope(ctx.crypto, value, aadFor(next), kek, config.kekId) };
    } finally {
      wipe(kek);
      wipe(value);
    }
  });
}

// --- internal ---

function copyMetadata(meta: SecretMetadata): SecretMetadata {
  return { ...meta, aliases: [...meta.aliases], scope: { ...meta.scope }, attachedGroups: meta.attachedGroups.map((g) => ({ ...g })) };
}

function requireName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw vaultFailure('secret name required');
  return trimmed;
}

/** Global names and aliases are unique among live, non-revoked global records (Decision 6). */
async function checkGlobalUniqueness(ctx: VaultContext, selfId: string | null, name: string, aliases: string[]): Promise<void> {
  const others = (await ctx.index.entries()).filter(
    (e) => e.secretId !== selfId && e.scope.kind === 'global' && e.revokedAtMs === null,
  );
  if (others.some((e) => e.name === name || e.aliases.includes(name))) throw vaultFailure(`global secret name '${name}' already exists`);
  for (const alias of aliases) {
    if (others.some((e) => e.name === alias)) throw vaultFailure(`global secret alias '${alias}' conflicts with existing secret name`);
  }
}

/**
 * Read-modify-write of one record under the instance lock. `change` returns the new record, or
 * `null` for "nothing to do". Bumps `updatedAtMs`, saves, audits `kind`.
 */
async function mutate(
  ctx: VaultContext,
  secretId: string,
  options: MutationOptions,
  kind: string,
  change: (record: SecretRecord) => Promise<SecretRecord | null>,
  note?: string,
): Promise<SecretMetadata> {
  checkSecretId(secretId);
  await requireConfig(ctx);
  return ctx.exclusive(async () => {
    const record = await readRecord(ctx, secretId);
    if (options.operator === true && record.systemManaged) throw vaultFailure(`secret '${secretId}' is system-managed`);
    const next = await change(record);
    if (next === null) return toMetadata(record);
    const saved = { ...next, updatedAtMs: ctx.clock.now() };
    await saveRecord(ctx, saved);
    await auditSecret(ctx, kind, saved, note === undefined ? {} : { note });
    return toMetadata(saved);
  });
}
