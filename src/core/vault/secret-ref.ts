/**
 * Secret references `vault:secret:<id>` and secret id validation (Decision 6/18: ids that are
 * not UUID-shaped are `secret not found` before any filesystem access).
 *
 * @see ../../../../shared/spec/vault.md §3.5
 */
import { secretNotFound, vaultFailure } from './vault-errors.js';

export const SECRET_REF_PREFIX = 'vault:secret:';

const UUID_SHAPE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isSecretId(id: string): boolean {
  return UUID_SHAPE.test(id);
}

/** Returns the id, or throws `secret not found` for anything not UUID-shaped. */
export function checkSecretId(id: string): string {
  if (!isSecretId(id)) throw secretNotFound();
  return id;
}

/**
 * Parses `vault:secret:<id>` (trimmed) to a UUID-shaped id.
 *
 * @example parseSecretRef('vault:secret:3f2504e0-4f89-41d3-9d0a-0305e82c3301')
 */
export function parseSecretRef(ref: string): string {
  const trimmed = ref.trim();
  if (!trimmed.startsWith(SECRET_REF_PREFIX)) throw vaultFailure('invalid secret_ref (expected vault:secret:<id>)');
  const id = trimmed.slice(SECRET_REF_PREFIX.length).trim();
  if (id.length === 0) throw vaultFailure('invalid secret_ref (missing id)');
  return checkSecretId(id);
}

export function secretRefOf(secretId: string): string {
  return `${SECRET_REF_PREFIX}${secretId}`;
}
