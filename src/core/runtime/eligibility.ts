/**
 * Execution-context rules: which credentials a context may use, how they rank, and whether a
 * secret's scope admits a read (checked from metadata, before anything is decrypted).
 *
 * @see ../../../../shared/spec/broker.md §4.5 [B-CTX], vault.md §8.2-§8.3, Decisions 2 and 7
 */
import type { ScopeRank } from '../broker/types.js';
import type { SecretMetadata } from '../vault/types.js';
import { scopeAllows } from '../vault/scope.js';

/** Trimmed execution context; blank ids are absent. */
export interface ExecutionContext {
  workspaceId: string | null;
  groupId: string | null;
}

/** Trims and blanks-to-null. */
export function normalizeContext(context: { workspaceId?: string | null; groupId?: string | null }): ExecutionContext {
  const ws = context.workspaceId?.trim() ?? '';
  const group = context.groupId?.trim() ?? '';
  return { workspaceId: ws.length > 0 ? ws : null, groupId: group.length > 0 ? group : null };
}

/**
 * [B-CTX]: a group without a workspace admits nothing; no context admits only unbound
 * credentials; otherwise a workspace binding must equal the context's, and a group binding too.
 */
export function isEligible(credential: { workspaceId: string | null; groupId: string | null }, ctx: ExecutionContext): boolean {
  if (ctx.groupId !== null && ctx.workspaceId === null) return false;
  if (ctx.workspaceId === null) return credential.workspaceId === null && credential.groupId === null;
  if (credential.workspaceId === null) return credential.groupId === null;
  if (credential.workspaceId !== ctx.workspaceId) return false;
  return credential.groupId === null || credential.groupId === ctx.groupId;
}

/** Decision 7: group (2) > workspace (1) > global (0). */
export function scopeRankOf(credential: { workspaceId: string | null; groupId: string | null }): ScopeRank {
  if (credential.groupId !== null) return 2;
  return credential.workspaceId !== null ? 1 : 0;
}

/**
 * The vault's scope rule (Decision 2) evaluated on metadata, before anything is decrypted: the
 * very rule `vault.resolve` applies, so a credential planned here is never refused there.
 */
export function secretAccessible(meta: SecretMetadata, ctx: ExecutionContext): boolean {
  return scopeAllows(meta, ctx);
}
