/**
 * Secret metadata as the CLI prints it (vault.md §3.3 key order, externally tagged scope) and the
 * human `secrets list` layout.
 *
 * @see ../../../../shared/spec/cli.md §4, vault.md §3.1, §3.3
 */
import type { Scope, SecretMetadata } from '../../core/vault/types.js';
import { countLine, type Colors } from '../color.js';

export type ScopeJson = 'global' | { workspace: { workspace_id: string } } | { group: { workspace_id: string; group_id: string } };

/** `"global"`, `{"workspace":{"workspace_id":…}}`, `{"group":{…}}`. */
export function scopeJson(scope: Scope): ScopeJson {
  if (scope.kind === 'global') return 'global';
  if (scope.kind === 'workspace') return { workspace: { workspace_id: scope.workspaceId } };
  return { group: { workspace_id: scope.workspaceId, group_id: scope.groupId } };
}

/** `global`, `workspace:<ws>`, `group:<ws>:<g>`. */
export function scopeText(scope: Scope): string {
  if (scope.kind === 'global') return 'global';
  if (scope.kind === 'workspace') return `workspace:${scope.workspaceId}`;
  return `group:${scope.workspaceId}:${scope.groupId}`;
}

/** The metadata view with the contract's fixed key set and order. */
export function metadataJson(m: SecretMetadata): Record<string, unknown> {
  return {
    secretId: m.secretId,
    name: m.name,
    aliases: m.aliases,
    scope: scopeJson(m.scope),
    systemManaged: m.systemManaged,
    ...(m.pinnedProvider === undefined ? {} : { pinnedProvider: m.pinnedProvider }),
    createdAtMs: m.createdAtMs,
    updatedAtMs: m.updatedAtMs,
    lastUsedAtMs: m.lastUsedAtMs,
    revokedAtMs: m.revokedAtMs,
    valueVersion: m.valueVersion,
    attachedGroups: m.attachedGroups.map((g) => ({ workspaceId: g.workspaceId, groupId: g.groupId })),
  };
}

/** The human `secrets list` layout (trailing newline included). */
export function renderSecretsList(secrets: readonly SecretMetadata[], c: Colors): string {
  if (secrets.length === 0) return 'No secrets found.\n';
  const blocks = secrets.map((s) => {
    const lines = [`  ${c.id(s.name)}`, `      ${c.label('ID:')} ${c.dim(s.secretId)}`, `      ${c.label('Scope:')} ${scopeText(s.scope)}`];
    if (s.aliases.length > 0) lines.push(`      ${c.label('Aliases:')} ${s.aliases.join(', ')}`);
    if (s.revokedAtMs !== null) lines.push(`    ${c.revoked('REVOKED')}`);
    return lines.join('\n');
  });
  return `${c.heading('Secrets')}\n${blocks.join('\n\n')}\n\n${countLine(secrets.length, 'secret', 'secrets')}\n${c.dim('Use --verbose for full JSON detail.')}\n`;
}
