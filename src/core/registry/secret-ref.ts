/**
 * `vault:secret:<id>` references.
 *
 * @see ../../../../shared/spec/vault.md §3.5
 */
import { vaultError } from '../broker-error.js';

const PREFIX = 'vault:secret:';

/** The secret id of a reference; `vault_error` with the contract's messages otherwise. */
export function parseSecretRef(ref: string): string {
  const value = ref.trim();
  if (!value.startsWith(PREFIX)) throw vaultError('invalid secret_ref (expected vault:secret:<id>)');
  const id = value.slice(PREFIX.length).trim();
  if (id.length === 0) throw vaultError('invalid secret_ref (missing id)');
  return id;
}

/** `vault:secret:<id>`. */
export function secretRefOf(secretId: string): string {
  return `${PREFIX}${secretId}`;
}
