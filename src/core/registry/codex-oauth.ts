/**
 * Freshness of the Codex OAuth token document (`CODEX_OAUTH_JSON`).
 *
 * TODO(issue 3): the invocation-time refresh (registry.md §7.5, POST to
 * `https://auth.openai.com/oauth/token`) is not implemented yet: a stale document makes the
 * Codex alternatives absent (list and invocation alike) and is reported as a derivation problem.
 *
 * @see ../../../../shared/spec/registry.md §7.5
 */
import { vaultError } from '../broker-error.js';
import { utf8DecodeStrict } from '../encoding.js';

export const CODEX_SECRET_NAME = 'CODEX_OAUTH_JSON';
const EXPIRY_KEYS = ['expires', 'expires_at', 'expiresMs', 'accessTokenExpiresAtMs'] as const;
const FRESH_MARGIN_MS = 10 * 60 * 1000;

/**
 * Expiry (ms) of a token document: the first key present among `expires`, `expires_at`,
 * `expiresMs`, `accessTokenExpiresAtMs`; `undefined` (stale) when absent or not an integer.
 * Not JSON (or not an object) → `CODEX_OAUTH_JSON must be JSON`.
 */
export function codexExpiryMs(bytes: Uint8Array): number | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8DecodeStrict(bytes) ?? '\u0000');
  } catch {
    throw vaultError('CODEX_OAUTH_JSON must be JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw vaultError('CODEX_OAUTH_JSON must be JSON');
  const record = doc as Record<string, unknown>;
  const key = EXPIRY_KEYS.find((k) => Object.hasOwn(record, k));
  if (key === undefined) return undefined;
  const value = record[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Fresh when the expiry is more than 10 minutes away. */
export function isCodexFresh(bytes: Uint8Array, nowMs: number): boolean {
  const expiry = codexExpiryMs(bytes);
  return expiry !== undefined && expiry > nowMs + FRESH_MARGIN_MS;
}
