/**
 * Host patterns: validation (strict for credentials and custom capabilities, relaxed for the
 * built-in registry), normalisation and matching.
 *
 * @see ../../../../shared/spec/security.md §5 [S-HOSTMATCH] [S-HOSTPAT], registry.md §4, Decision 18
 */
import { policyViolation } from '../broker-error.js';

/** `strict`: exact hosts only (credentials, custom capabilities). `relaxed`: leading `*.` wildcards allowed (registry). */
export type HostPatternMode = 'strict' | 'relaxed';

/** Characters that make an entry something other than a plain `host[:port]` (Decision 2 / 18). */
const NOT_AUTHORITY = /[@/?#\s\\]/;

/**
 * Validates one host pattern and returns it trimmed and lower-cased.
 * Throws `policy_violation` with the contract's messages.
 *
 * @example validateHostPattern(' API.OpenAI.com ', 'strict') // 'api.openai.com'
 * @see ../../../../shared/spec/security.md §5 [S-HOSTPAT]
 */
export function validateHostPattern(pattern: string, mode: HostPatternMode): string {
  const value = pattern.trim().toLowerCase();
  if (value.length === 0) throw policyViolation('host cannot be empty');
  if (NOT_AUTHORITY.test(value)) throw policyViolation('invalid host authority in capability or credential');
  if (value.startsWith('*.')) {
    if (mode === 'strict') throw policyViolation('wildcard hosts are invalid for core conformance');
    if (value.split('*').length !== 2) throw policyViolation('invalid wildcard host pattern');
    if (splitPort(value).name.split('.').length < 3) throw policyViolation('wildcard must include at least one suffix label');
    return value;
  }
  if (value.includes('*')) throw policyViolation('wildcards are only allowed as leading *.');
  return value;
}

/**
 * Credential host list normalisation: trim, lower-case, drop blanks, de-duplicate keeping the first.
 *
 * @see ../../../../shared/spec/broker.md §2.2 [B-CRED-1] step 5
 */
export function normalizeHosts(hosts: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of hosts) {
    const host = raw.trim().toLowerCase();
    if (host.length > 0 && !out.includes(host)) out.push(host);
  }
  return out;
}

/**
 * `matches(pattern, host)`: wildcard suffix match with a dot boundary (the apex never matches),
 * otherwise exact names; a pattern port must equal the host's port, a portless pattern admits any.
 * Anything unparseable, or not a plain authority, never matches.
 *
 * @example hostMatches('*.openai.com', 'api.openai.com') // true
 * @see ../../../../shared/spec/security.md §5 [S-HOSTMATCH]
 */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.trim().toLowerCase();
  const h = host.trim().toLowerCase();
  if (p.length === 0 || h.length === 0 || NOT_AUTHORITY.test(p) || NOT_AUTHORITY.test(h)) return false;
  const target = parseAuthority(h);
  if (target === undefined) return false;
  if (p.startsWith('*.')) {
    const { name, port } = splitPort(p);
    const suffix = name.slice(2);
    if (suffix.length === 0 || suffix.includes('*')) return false;
    if (!target.name.endsWith(`.${suffix}`) || target.name === suffix) return false;
    return port === undefined || port === target.port;
  }
  if (p.includes('*')) return false;
  const wanted = parseAuthority(p);
  if (wanted === undefined || wanted.name !== target.name) return false;
  return wanted.port === undefined || wanted.port === target.port;
}

/** True when `host` matches at least one of `patterns`. */
export function matchesAnyHost(patterns: readonly string[], host: string): boolean {
  return patterns.some((pattern) => hostMatches(pattern, host));
}

// --- internal ---

interface Authority {
  name: string;
  /** Absent when no port was given or it is the https default (URL parsing elides 443). */
  port: string | undefined;
}

/**
 * Parsed authorities by input text. Every call matches the same few credential and capability
 * hosts (four parses per call, each a WHATWG `URL`), so the pure result is kept; bounded, since
 * the inputs come from files an operator can change.
 */
const parsed = new Map<string, Authority | undefined>();
const PARSED_MAX = 256;

/** Exact names go through URL parsing (IPv6 brackets, punycode), as in the original. */
function parseAuthority(value: string): Authority | undefined {
  if (parsed.has(value)) return parsed.get(value);
  const result = parseAuthorityUncached(value);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(value, result);
  return result;
}

function parseAuthorityUncached(value: string): Authority | undefined {
  try {
    const url = new URL(`https://${value}`);
    if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return undefined;
    return { name: url.hostname, port: url.port === '' ? undefined : url.port };
  } catch {
    return undefined;
  }
}

/** Wildcard patterns are split by hand at the last `:` followed only by digits. */
function splitPort(value: string): { name: string; port: string | undefined } {
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m) return { name: value, port: undefined };
  const port = String(Number(m[2]));
  return { name: m[1]!, port: port === '443' ? undefined : port };
}
