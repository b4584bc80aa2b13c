/**
 * Secret material per auth strategy (broker.md §2.5, vault.md §13): the vault returns bytes, the
 * broker interprets them. Shape problems are `vault_unavailable` with the contract's wording and
 * never echo the material.
 *
 * @see ../../../shared/spec/vault.md §13
 */
import { BrokerError } from '../broker-error.js';
import { utf8DecodeStrict } from '../encoding.js';

export interface OAuthMaterial {
  clientId: string;
  clientSecret?: string;
  refreshToken: string;
  accessToken?: string;
  accessTokenExpiresAtMs?: number;
}

export interface AwsMaterial {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface MtlsMaterial {
  certPem: string;
  keyPem: string;
}

export interface BasicMaterial {
  username: string;
  password: string;
}

export const materialError = (message: string): BrokerError => new BrokerError({ code: 'vault_unavailable', message });

/** UTF-8 text for header, query, path and hmac. */
export function parseStringSecret(bytes: Uint8Array): string {
  const text = utf8DecodeStrict(bytes);
  if (text === null) throw materialError('secret must be utf-8');
  return text;
}

/** Multi-field material: string leaves, dotted keys for nested objects, blank keys skipped. */
export function parseMultiField(bytes: Uint8Array, label: 'multi-header' | 'multi-query'): Map<string, string> {
  const json = parseJson(bytes);
  if (json === undefined) throw materialError(`${label} secret must be JSON`);
  if (!isObject(json)) throw materialError(`${label} secret must be a JSON object`);
  const fields = new Map<string, string>();
  flatten(json, '', fields);
  if (fields.size === 0) throw materialError(`${label} secret must include at least one field`);
  return fields;
}

export function parseBasic(bytes: Uint8Array): BasicMaterial {
  const json = parseJson(bytes);
  if (!isObject(json) || typeof json.username !== 'string' || typeof json.password !== 'string') {
    throw materialError('basic secret must be JSON with username/password');
  }
  return { username: json.username, password: json.password };
}

/** `null` when the material is not OAuth2-shaped (callers choose the message). */
export function parseOAuth(bytes: Uint8Array): OAuthMaterial | null {
  const json = parseJson(bytes);
  if (!isObject(json) || typeof json.clientId !== 'string') return null;
  const optionalString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';
  if (!optionalString(json.clientSecret) || !optionalString(json.refreshToken) || !optionalString(json.accessToken)) return null;
  const exp = json.accessTokenExpiresAtMs;
  if (!(exp === undefined || exp === null || (typeof exp === 'number' && Number.isFinite(exp)))) return null;
  const out: OAuthMaterial = { clientId: json.clientId, refreshToken: json.refreshToken ?? '' };
  if (typeof json.clientSecret === 'string') out.clientSecret = json.clientSecret;
  if (typeof json.accessToken === 'string') out.accessToken = json.accessToken;
  if (typeof exp === 'number') out.accessTokenExpiresAtMs = exp;
  return out;
}

export function parseAws(bytes: Uint8Array): AwsMaterial {
  const json = parseJson(bytes);
  if (!isObject(json) || typeof json.accessKeyId !== 'string' || typeof json.secretAccessKey !== 'string') {
    throw materialError('aws secret must be JSON with accessKeyId/secretAccessKey');
  }
  const out: AwsMaterial = { accessKeyId: json.accessKeyId, secretAccessKey: json.secretAccessKey };
  if (typeof json.sessionToken === 'string' && json.sessionToken !== '') out.sessionToken = json.sessionToken;
  return out;
}

export function parseMtls(bytes: Uint8Array): MtlsMaterial {
  const json = parseJson(bytes);
  if (!isObject(json) || typeof json.certPem !== 'string' || typeof json.keyPem !== 'string') {
    throw materialError('mtls secret must be JSON with certPem/keyPem');
  }
  return { certPem: json.certPem, keyPem: json.keyPem };
}

/** Compact JSON of refreshed OAuth material, in the write-back key order of vault.md §14 step 7. */
export function serialiseOAuth(m: Required<Pick<OAuthMaterial, 'accessToken' | 'accessTokenExpiresAtMs'>> & OAuthMaterial): string {
  const out: Record<string, unknown> = { clientId: m.clientId };
  if (m.clientSecret !== undefined) out.clientSecret = m.clientSecret;
  out.refreshToken = m.refreshToken;
  out.accessToken = m.accessToken;
  out.accessTokenExpiresAtMs = m.accessTokenExpiresAtMs;
  return JSON.stringify(out);
}

// --- internal ---

function parseJson(bytes: Uint8Array): unknown {
  const text = utf8DecodeStrict(bytes);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, string>): void {
  for (const [rawKey, value] of Object.entries(obj)) {
    const key = rawKey.trim();
    if (key === '') continue;
    const full = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(full, value);
    else if (isObject(value)) flatten(value, full, out);
  }
}
