/**
 * Auth strategies: the superstruct schema of the externally tagged encoding, creation from a
 * type name, validation at credential creation and display names.
 *
 * @see ../../../../shared/spec/registry.md §3, broker.md §2.4 [B-AUTH-NAME] [B-AUTH-VAL], Decision 18
 */
import { array, enums, nonempty, object, optional, string, union, type Describe } from 'superstruct';
import { policyViolation } from '../broker-error.js';
import type { AuthKind, AuthStrategy } from './types.js';

const text = nonempty(string());
const headerTemplate = object({ header_name: text, value_template: text });

/**
 * The 10 encodings; unknown keys and unknown strategies fail to parse (fail closed).
 * `multi_header`/`multi_query` lists may be empty here: that is refused by {@link validateAuthStrategy}.
 */
export const AuthStrategySchema: Describe<AuthStrategy> = union([
  object({ header: headerTemplate }),
  object({ query: object({ param_name: text }) }),
  object({ path: object({ prefix_template: text }) }),
  object({ multi_header: array(headerTemplate) }),
  object({ multi_query: array(object({ param_name: text, value_template: text })) }),
  enums(['basic', 'mtls']),
  object({ o_auth2: object({ grant_type: text, token_endpoint: text, scopes: optional(array(text)) }) }),
  object({ aws_sig_v4: object({ service: text, region: text }) }),
  object({
    hmac: object({ algorithm: text, header_name: text, value_template: text, encoding: optional(enums(['hex', 'base64'])) }),
  }),
]) as unknown as Describe<AuthStrategy>;

/** The kind of a strategy (its tag). */
export function authKindOf(auth: AuthStrategy): AuthKind {
  if (auth === 'basic' || auth === 'mtls') return auth;
  return Object.keys(auth)[0] as AuthKind;
}

/** Human-readable names (`credential list`, registry.md §3). */
export const AUTH_DISPLAY_NAMES = {
  header: 'header',
  path: 'path',
  query: 'query',
  multi_header: 'multi-header',
  multi_query: 'multi-query',
  basic: 'basic',
  o_auth2: 'oauth2',
  aws_sig_v4: 'aws-sigv4',
  hmac: 'hmac',
  mtls: 'mtls',
} as const satisfies Record<AuthKind, string>;

/** `header`, `multi-header`, `oauth2`, … */
export function authDisplayName(auth: AuthStrategy): string {
  return AUTH_DISPLAY_NAMES[authKindOf(auth)];
}

/** Default oauth2 token endpoint of `--auth oauth2` without `--token-endpoint` (cli.md §5.1). */
export const OAUTH2_PLACEHOLDER_ENDPOINT = 'https://oauth.example/token';

const TYPE_NAMES: Record<string, () => AuthStrategy> = {
  header: () => ({ header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } }),
  path: () => ({ path: { prefix_template: '/bot{{secret}}' } }),
  query: () => ({ query: { param_name: 'api_key' } }),
  'multi-header': () => ({ multi_header: [] }),
  multi_header: () => ({ multi_header: [] }),
  'multi-query': () => ({ multi_query: [] }),
  multi_query: () => ({ multi_query: [] }),
  basic: () => 'basic',
  oauth2: () => ({ o_auth2: { grant_type: 'refresh_token', token_endpoint: OAUTH2_PLACEHOLDER_ENDPOINT, scopes: [] } }),
  'o-auth2': () => ({ o_auth2: { grant_type: 'refresh_token', token_endpoint: OAUTH2_PLACEHOLDER_ENDPOINT, scopes: [] } }),
  'aws-sigv4': () => ({ aws_sig_v4: { service: 's3', region: 'us-east-1' } }),
  hmac: () => ({ hmac: { algorithm: 'sha256', header_name: 'x-signature', value_template: 'sha256={{signature}}' } }),
  mtls: () => 'mtls',
};

/**
 * A strategy with its default parameters from a type name (trimmed, lower-cased).
 * Unknown names → `policy_violation` "unknown auth.type '<name>'".
 *
 * @example parseAuthType('Header') // { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } }
 * @see ../../../../shared/spec/broker.md §2.4 [B-AUTH-NAME]
 */
export function parseAuthType(name: string): AuthStrategy {
  const key = name.trim().toLowerCase();
  const make = Object.hasOwn(TYPE_NAMES, key) ? TYPE_NAMES[key] : undefined;
  if (make === undefined) throw policyViolation(`unknown auth.type '${name.trim()}'`);
  return make();
}

/** HMAC algorithms accepted at credential creation (Decision 18). */
export const HMAC_ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const;

/**
 * Strategy validation applied whenever a credential is built (registry or custom).
 * Throws `policy_violation` with the contract's messages.
 *
 * @see ../../../../shared/spec/broker.md §2.4 [B-AUTH-VAL], registry.md §3
 */
export function validateAuthStrategy(auth: AuthStrategy): void {
  if (typeof auth === 'string') return;
  if ('o_auth2' in auth) {
    const grant = auth.o_auth2.grant_type.trim().toLowerCase();
    if (grant !== 'refresh_token' && grant !== 'client_credentials') {
      throw policyViolation('oauth2 consent/setup flow must happen outside broker');
    }
  } else if ('path' in auth) {
    validatePathTemplate(auth.path.prefix_template);
  } else if ('multi_header' in auth) {
    validateMultiHeader(auth.multi_header);
  } else if ('hmac' in auth) {
    const algorithm = auth.hmac.algorithm.trim().toLowerCase();
    if (!(HMAC_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw policyViolation(`unsupported hmac algorithm '${auth.hmac.algorithm.trim()}'; expected sha256, sha384 or sha512`);
    }
  }
}

// --- internal ---

function validatePathTemplate(template: string): void {
  const t = template.trim();
  if (!t.startsWith('/')) throw policyViolation("path auth prefixTemplate must start with '/'");
  if (t.includes('?') || t.includes('#')) throw policyViolation('path auth prefixTemplate cannot include query or fragment');
  if (t.split('{{secret}}').length !== 2) throw policyViolation('path auth prefixTemplate must contain exactly one {{secret}}');
}

function validateMultiHeader(entries: ReadonlyArray<{ header_name: string; value_template: string }>): void {
  if (entries.length === 0) throw policyViolation('multi-header auth must include at least one header template');
  const seen = new Set<string>();
  for (const entry of entries) {
    const name = entry.header_name.trim().toLowerCase();
    if (name.length === 0) throw policyViolation('multi-header auth header_name cannot be empty');
    if (seen.has(name)) throw policyViolation('multi-header auth cannot include duplicate header names');
    seen.add(name);
    if (entry.value_template.trim().length === 0) throw policyViolation('multi-header auth value_template cannot be empty');
  }
}
