/**
 * The Codex OAuth token document (`CODEX_OAUTH_JSON`): freshness, the refresh form, and the
 * rotated document. Pure: the network exchange lives in `runtime/codex-refresher.ts`.
 *
 * @see ../../../../shared/spec/registry.md §7.5, §13.1
 */
import { BrokerError, vaultError } from '../broker-error.js';
import { utf8DecodeStrict } from '../encoding.js';

export const CODEX_SECRET_NAME = 'CODEX_OAUTH_JSON';
/** The fixed public client id of the Codex CLI (registry.md §7.5). */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
/** Replaced only by the dev override `AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT` (security.md §9). */
export const CODEX_TOKEN_ENDPOINT = 'https://auth.openai.com/oauth/token';
/** `expires_in` fallback when the token response has no positive integer. */
export const CODEX_DEFAULT_LIFETIME_S = 3600;

const EXPIRY_KEYS = ['expires', 'expires_at', 'expiresMs', 'accessTokenExpiresAtMs'] as const;
const FRESH_MARGIN_MS = 10 * 60 * 1000;

/** A parsed token document: a JSON object. */
export type CodexDocument = Readonly<Record<string, unknown>>;

/** Parses the secret; not JSON (or not an object) → `vault_error` `CODEX_OAUTH_JSON must be JSON`. */
export function parseCodexDocument(bytes: Uint8Array): CodexDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8DecodeStrict(bytes) ?? '\u0000');
  } catch {
    throw vaultError('CODEX_OAUTH_JSON must be JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw vaultError('CODEX_OAUTH_JSON must be JSON');
  return doc as CodexDocument;
}

/**
 * Expiry (ms) of a token document: the first key present among `expires`, `expires_at`,
 * `expiresMs`, `accessTokenExpiresAtMs`; `undefined` (stale) when absent or not an integer
 * (later keys are not consulted). Not JSON → `CODEX_OAUTH_JSON must be JSON`.
 *
 * @example codexExpiryMs(utf8Encode('{"expires_at": 1760000000000}')) // 1760000000000
 */
export function codexExpiryMs(bytes: Uint8Array): number | undefined {
  return expiryOf(parseCodexDocument(bytes));
}

/** Fresh when the expiry is more than 10 minutes away. */
export function isCodexFresh(bytes: Uint8Array, nowMs: number): boolean {
  return isDocumentFresh(parseCodexDocument(bytes), nowMs);
}

export function isDocumentFresh(doc: CodexDocument, nowMs: number): boolean {
  const expiry = expiryOf(doc);
  return expiry !== undefined && expiry > nowMs + FRESH_MARGIN_MS;
}

/**
 * The refresh form, in contract order: `grant_type`, `refresh_token` (`refresh_token`, else
 * `refreshToken`), `client_id`. No usable refresh token → `oauth_error`
 * `CODEX_OAUTH_JSON is expired and missing refresh_token`.
 */
export function codexRefreshForm(doc: CodexDocument): Array<[string, string]> {
  const refreshToken = firstString(doc, ['refresh_token', 'refreshToken']);
  if (refreshToken === undefined) throw codexError('CODEX_OAUTH_JSON is expired and missing refresh_token');
  return [
    ['grant_type', 'refresh_token'],
    ['refresh_token', refreshToken],
    ['client_id', CODEX_CLIENT_ID],
  ];
}

/**
 * The rotated document, pretty-printed with the keys `access_token`, `account_id` (when the old
 * document had `account_id`/`accountId`), `email` (when present), `expires_at` (ms), `refresh_token`
 * (the returned one, else the old one) and `updated_at` (RFC 3339 UTC). Other keys are dropped.
 *
 * @param issuedAtMs when the exchange started: the lifetime counts from there (conservative).
 * @param token the parsed token endpoint JSON.
 */
export function buildRefreshedCodexDocument(previous: CodexDocument, token: unknown, issuedAtMs: number, nowMs: number): { text: string; expiresAtMs: number } {
  const body = (typeof token === 'object' && token !== null && !Array.isArray(token) ? token : {}) as Record<string, unknown>;
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') throw codexError('Codex OAuth token response missing access_token');
  const expiresIn = body['expires_in'];
  const lifetimeS = typeof expiresIn === 'number' && Number.isSafeInteger(expiresIn) && expiresIn > 0 ? expiresIn : CODEX_DEFAULT_LIFETIME_S;
  const refreshToken = firstString(body, ['refresh_token']) ?? firstString(previous, ['refresh_token', 'refreshToken']);
  if (refreshToken === undefined) throw codexError('CODEX_OAUTH_JSON is expired and missing refresh_token');
  const accountId = firstString(previous, ['account_id', 'accountId']);
  const email = firstString(previous, ['email']);
  const expiresAtMs = issuedAtMs + lifetimeS * 1000;
  const doc = {
    access_token: accessToken,
    ...(accountId === undefined ? {} : { account_id: accountId }),
    ...(email === undefined ? {} : { email }),
    expires_at: expiresAtMs,
    refresh_token: refreshToken,
    updated_at: new Date(nowMs).toISOString(),
  };
  return { text: JSON.stringify(doc, null, 2), expiresAtMs };
}

export const codexError = (message: string): BrokerError => new BrokerError({ code: 'oauth_error', message });

// --- internal ---

function expiryOf(doc: CodexDocument): number | undefined {
  const key = EXPIRY_KEYS.find((k) => Object.hasOwn(doc, k));
  if (key === undefined) return undefined;
  const value = doc[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The first of `keys` holding a non-blank string. */
function firstString(doc: Readonly<Record<string, unknown>>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = doc[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}
