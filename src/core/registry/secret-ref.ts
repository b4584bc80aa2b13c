/**
 * `vault:secret:<id>` references as the broker and operator layers read them: the prefix and the
 * blank-id check, but no UUID-shape check here — a malformed id reaches the vault, which answers
 * `secret not found` (the operator commands word that as `secret does not exist: …`).
 *
 * @see ../../../../shared/spec/vault.md §3.5
 */
import { vaultError } from '../broker-error.js';
import { SECRET_REF_PREFIX } from '../vault/secret-ref.js';

export { secretRefOf } from '../vault/secret-ref.js';

/** The secret id of a reference; `vault_error` with the contract's messages otherwise. */
export function parseSecretRef(ref: string): string {
  const value = ref.trim();
  if (!value.startsWith(SECRET_REF_PREFIX)) throw vaultError('invalid secret_ref (expected vault:secret:<id>)');
  const id = value.slice(SECRET_REF_PREFIX.length).trim();
  if (id.length === 0) throw vaultError('invalid secret_ref (missing id)');
  return id;
}
