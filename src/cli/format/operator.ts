/**
 * Human layouts of `credential list`, `capability list` and `capability bindings`.
 *
 * @see ../../../../shared/spec/cli.md §5.2, §6.1, §6.8
 */
import { authDisplayName } from '../../core/registry/auth-strategy.js';
import type { CapabilityBinding, StoredCredential } from '../../core/registry/types.js';
import type { CapabilityListing } from '../../core/runtime/operator/index.js';
import { countLine, type Colors } from '../color.js';

export function renderCredentialList(credentials: readonly StoredCredential[], c: Colors): string {
  if (credentials.length === 0) return 'No credentials found.\n';
  const blocks = credentials.map((cred) => {
    const lines = [
      `  ${c.id(cred.id)}`,
      `      ${c.label('Provider:')} ${cred.provider}`,
      `      ${c.label('Auth:')} ${authDisplayName(cred.auth)}`,
      `      ${c.label('Hosts:')} ${cred.hosts.join(', ')}`,
    ];
    if (cred.maxPolicyMode !== undefined) lines.push(`      ${c.label('Max policy mode:')} ${cred.maxPolicyMode}`);
    if (cred.workspaceId !== null) {
      lines.push(`      ${c.label('Scope:')} ${cred.groupId !== null ? `group:${cred.workspaceId}:${cred.groupId}` : `workspace:${cred.workspaceId}`}`);
    }
    return lines.join('\n');
  });
  return `${c.heading('Credentials')}\n${blocks.join('\n\n')}\n\n${countLine(credentials.length, 'credential', 'credentials')}\n${c.dim('Use --verbose for full JSON detail.')}\n`;
}

export function renderCapabilityList(listing: CapabilityListing, c: Colors): string {
  if (listing.count === 0) return 'No capabilities found.\n';
  const out: string[] = [];
  if (listing.available.length > 0) {
    out.push(c.heading('Available (needs credential)'));
    for (const group of listing.availableByProvider) {
      out.push(`  ${c.label(group.provider)}`);
      for (const cap of group.capabilities) out.push(`    ${c.id(cap.id)}`);
      if (group.setup !== null) out.push(`    ${c.dim(`Setup: ${group.setup}`)}`);
    }
  }
  if (listing.ready.length > 0) {
    if (out.length > 0) out.push('');
    out.push(c.heading('Ready (credential configured)'));
    for (const cap of listing.ready) out.push(`  ${c.id(cap.id)}`);
  }
  out.push('', countLine(listing.count, 'capability', 'capabilities'), c.dim('Use --verbose for full JSON, or `aivault capability describe <id>` to inspect one.'), '');
  return out.join('\n');
}

export function renderBindings(bindings: readonly CapabilityBinding[], c: Colors): string {
  if (bindings.length === 0) return 'No capability bindings found.\n';
  const blocks = bindings.map((b) => {
    const scope = b.scope.type === 'global' ? 'global' : b.scope.type === 'workspace' ? `workspace:${b.scope.workspace_id}` : `group:${b.scope.workspace_id}:${b.scope.group_id}`;
    const lines = [`  ${c.id(b.capability)} -> ${b.secretRef}`, `      ${c.label('Scope:')} ${scope}`];
    if (b.consumer !== undefined) lines.push(`      ${c.label('Consumer:')} ${b.consumer}`);
    return lines.join('\n');
  });
  return `${c.heading('Capability bindings')}\n${blocks.join('\n\n')}\n\n${countLine(bindings.length, 'binding', 'bindings')}\n${c.dim('Use --verbose for full JSON detail.')}\n`;
}
