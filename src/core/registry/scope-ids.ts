/**
 * Credential ids, contexts and composite secret names derived from a secret scope.
 *
 * @see ../../../../shared/spec/registry.md §7.2
 */
import type { Scope } from '../vault/types.js';
import { scopeString } from '../vault/scope.js';

/** `global`, `workspace:<ws>`, `group:<ws>:<g>`: groups secrets of the exact same scope (the vault's scope string). */
export const scopeKey: (scope: Scope) => string = scopeString;

/** `<base>`, `<base>:ws:<ws>`, `<base>:group:<ws>:<g>` (`base` = provider or `provider:altId`). */
export function derivedCredentialId(base: string, scope: Scope): string {
  if (scope.kind === 'global') return base;
  if (scope.kind === 'workspace') return `${base}:ws:${scope.workspaceId}`;
  return `${base}:group:${scope.workspaceId}:${scope.groupId}`;
}

/** The credential's `workspaceId` / `groupId` for a scope. */
export function scopeContext(scope: Scope): { workspaceId: string | null; groupId: string | null } {
  if (scope.kind === 'global') return { workspaceId: null, groupId: null };
  if (scope.kind === 'workspace') return { workspaceId: scope.workspaceId, groupId: null };
  return { workspaceId: scope.workspaceId, groupId: scope.groupId };
}

/** `__aivault_registry:<provider>:<global | workspace:<ws> | group:<ws>:<g>>` (always the bare provider). */
export function compositeSecretName(provider: string, scope: Scope): string {
  return `__aivault_registry:${provider}:${scopeKey(scope)}`;
}

