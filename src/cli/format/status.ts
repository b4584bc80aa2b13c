/**
 * The status JSON object and the human `status` layout.
 *
 * @see ../../../../shared/spec/cli.md §3.1
 */
import type { VaultStatus } from '../../core/vault/types.js';
import type { Colors } from '../color.js';

const PROVIDER_NAMES = {
  macos_keychain: 'macOS Keychain',
  passphrase: 'Passphrase',
  env: 'Environment variable',
  file: 'Key file',
} as const satisfies Record<NonNullable<VaultStatus['providerType']>, string>;

/** `{enabled, providerType, locked, kekId}` in the contract's key order. */
export function statusJson(status: VaultStatus): VaultStatus {
  return { enabled: status.enabled, providerType: status.providerType, locked: status.locked, kekId: status.kekId };
}

/** The human layout of §3.1 (trailing newline included). */
export function renderStatus(status: VaultStatus, rootDir: string, c: Colors): string {
  const state = !status.enabled ? c.warn('not initialized') : status.locked ? c.warn('locked') : c.unlocked('unlocked');
  const lines = [c.heading('Vault'), `  ${c.label('Status:')} ${state}`];
  if (status.enabled && status.providerType !== null) lines.push(`  ${c.label('Provider:')} ${PROVIDER_NAMES[status.providerType]}`);
  if (status.kekId !== null) lines.push(`  ${c.label('KEK identifier:')} ${c.id(status.kekId)}`);
  lines.push('', c.heading('Paths'), `  ${c.label('Root:')} ${c.dim(rootDir)}`, '');
  return lines.join('\n');
}
