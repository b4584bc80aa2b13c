/**
 * Secret scopes: the on-disk tagged encoding, the scope string used in AAD and audit, and
 * the access rule applied to every secret read.
 *
 * @see ../../../../shared/spec/vault.md §3.1, §6.3, §8.2; security.md §8.1 (Decision 2)
 */
import type { GroupAttachment, Scope } from './types.js';
import { vaultFailure } from './vault-errors.js';

/** The externally tagged on-disk form (inner keys snake_case, vault.md §3.1). */
export type DiskScope =
  | 'global'
  | { workspace: { workspace_id: string } }
  | { group: { workspace_id: string; group_id: string } };

export function scopeToDisk(scope: Scope): DiskScope {
  if (scope.kind === 'global') return 'global';
  if (scope.kind === 'workspace') return { workspace: { workspace_id: scope.workspaceId } };
  return { group: { workspace_id: scope.workspaceId, group_id: scope.groupId } };
}

export function scopeFromDisk(scope: DiskScope): Scope {
  if (scope === 'global') return { kind: 'global' };
  if ('workspace' in scope) return { kind: 'workspace', workspaceId: scope.workspace.workspace_id };
  return { kind: 'group', workspaceId: scope.group.workspace_id, groupId: scope.group.group_id };
}

/** `global`, `workspace:<ws>` or `group:<ws>:<g>`. */
export function scopeString(scope: Scope): string {
  if (scope.kind === 'global') return 'global';
  if (scope.kind === 'workspace') return `workspace:${scope.workspaceId}`;
  return `group:${scope.workspaceId}:${scope.groupId}`;
}

/**
 * Validates a scope given to `createSecret`: ids trimmed and non-blank.
 * @see ../../../../shared/spec/vault.md §9 (same messages as bindings)
 */
export function normaliseScope(scope: Scope): Scope {
  if (scope.kind === 'global') return { kind: 'global' };
  const workspaceId = scope.workspaceId.trim();
  if (scope.kind === 'workspace') {
    if (workspaceId.length === 0) throw vaultFailure('workspace_id required for workspace scope');
    return { kind: 'workspace', workspaceId };
  }
  const groupId = scope.groupId.trim();
  if (workspaceId.length === 0 || groupId.length === 0) throw vaultFailure('workspace_id and group_id required for group scope');
  return { kind: 'group', workspaceId, groupId };
}

/** A read's execution context, trimmed; blank ids are absent. */
export interface AccessContext {
  workspaceId: string | null;
  groupId: string | null;
}

export function accessContextOf(options: { workspaceId?: string | null; groupId?: string | null }): AccessContext {
  const workspaceId = options.workspaceId?.trim() || null;
  const groupId = options.groupId?.trim() || null;
  if (groupId !== null && workspaceId === null) throw vaultFailure('workspace_id and group_id are required');
  return { workspaceId, groupId };
}

/**
 * The scope rule (Decision 2): a global secret is readable without a group context, and in a
 * group context only when attached; a workspace secret needs its workspace; a group secret
 * needs its workspace and group. An attachment to the context's (workspace, group) always grants.
 */
export function scopeAllows(record: { scope: Scope; attachedGroups: GroupAttachment[] }, context: AccessContext): boolean {
  const { workspaceId, groupId } = context;
  const attached =
    workspaceId !== null &&
    groupId !== null &&
    record.attachedGroups.some((a) => a.workspaceId.trim() === workspaceId && a.groupId.trim() === groupId);
  if (attached) return true;
  const scope = record.scope;
  if (scope.kind === 'global') return groupId === null;
  if (scope.kind === 'workspace') return workspaceId === scope.workspaceId;
  return workspaceId === scope.workspaceId && groupId === scope.groupId;
}

/** The `group:<ws>:<g>` note of `secret.attach|detach|access.denied` events. */
export function groupNote(workspaceId: string, groupId: string): string {
  return `group:${workspaceId}:${groupId}`;
}
