/**
 * Upstream target rules (security.md §4): the effective authority is parsed as
 * `<scheme>://<authority>/` with WHATWG rules (numeric IPv4 forms normalised, punycode, default
 * port dropped), then scheme, port and the literal SSRF deny list are checked. Also the
 * effective host intersection (§6) and the redirect-hop check (§4.5).
 *
 * @see ../../../shared/spec/security.md §4, §6
 */
import { policyViolation } from '../broker-error.js';
import type { ResolvedBrokerPolicyOptions } from './options.js';
import { hostMatches } from '../registry/host-pattern.js';
import { isBlockedHost, SSRF_BLOCKED_MESSAGE } from './ssrf.js';

export const INVALID_AUTHORITY_MESSAGE = 'invalid host authority in capability or credential';

export interface Target {
  scheme: 'https' | 'http' | 'wss' | 'ws';
  /** Normalised authority (`host` or `host:port`), what the URL and `Host` carry. */
  authority: string;
  /** Host without port and without IPv6 brackets. */
  hostname: string;
  port: number | null;
}

const DEFAULT_PORTS = { https: 443, wss: 443, http: 80, ws: 80 } as const;

/**
 * Parses and checks an authority for a scheme; throws `policy_violation` with the contract's
 * message for the first failing rule.
 *
 * @example checkTarget('api.example.com', 'https', opts) // { authority: 'api.example.com', … }
 * @example checkTarget('2130706433', 'https', opts) // throws: upstream host blocked by SSRF guard
 */
export function checkTarget(
  authority: string,
  scheme: Target['scheme'],
  options: Pick<ResolvedBrokerPolicyOptions, 'allowHttpLocal' | 'allowNonDefaultPorts'>,
): Target {
  const text = authority.trim();
  if (text === '' || /[@/?#\s\\]/.test(text)) throw policyViolation(INVALID_AUTHORITY_MESSAGE);
  const url = parseTargetUrl(`${scheme}://${text}/`);
  if (url === null || url.hostname === '' || url.hasCredentials) throw policyViolation(INVALID_AUTHORITY_MESSAGE);
  if ((scheme === 'http' || scheme === 'ws') && !options.allowHttpLocal) throw policyViolation('scheme not allowed');
  // WHATWG drops the scheme's default port, so any port left is a non-default one.
  const port = url.port === '' ? null : Number(url.port);
  if (port !== null && port !== DEFAULT_PORTS[scheme] && !options.allowNonDefaultPorts) {
    throw policyViolation('non-default port not allowed');
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isBlockedHost(hostname)) throw policyViolation(SSRF_BLOCKED_MESSAGE);
  return { scheme, authority: url.host, hostname, port };
}

/**
 * The effective host [S-EFFHOST]: credential hosts that match at least one capability pattern;
 * exactly one must remain.
 */
export function effectiveHost(credentialHosts: readonly string[], capabilityHosts: readonly string[]): string {
  // Decision 18: a malformed entry on either side is refused, never silently skipped.
  for (const pattern of capabilityHosts) if (/[@/?#\s\\]/.test(pattern.trim())) throw policyViolation(INVALID_AUTHORITY_MESSAGE);
  const survivors: string[] = [];
  for (const raw of credentialHosts) {
    const host = raw.trim().toLowerCase();
    if (host === '' || survivors.includes(host)) continue;
    // A host that does not even match itself does not parse as an authority.
    if (!hostMatches(host, host)) throw policyViolation(INVALID_AUTHORITY_MESSAGE);
    if (capabilityHosts.some((pattern) => hostMatches(pattern, host))) survivors.push(host);
  }
  if (survivors.length === 0) throw policyViolation('effective host intersection is empty');
  if (survivors.length > 1) throw policyViolation('core conformance requires exactly one effective host');
  return survivors[0]!;
}

/**
 * The redirect-hop check [S-REDIRECT]: `block` refuses every hop; `revalidate` returns whether
 * auth must be stripped (the next host differs, case-insensitively).
 */
export function validateRedirectHop(mode: 'block' | 'revalidate', currentHost: string, nextHost: string): boolean {
  if (mode === 'block') throw policyViolation('redirects are blocked');
  return currentHost.trim().toLowerCase() !== nextHost.trim().toLowerCase();
}

// --- internal ---

/** The parts of a WHATWG-parsed target URL the rules read; `null` when it does not parse. */
interface ParsedTarget {
  hostname: string;
  host: string;
  port: string;
  hasCredentials: boolean;
}

/**
 * Parsed targets by URL text: every call checks the same effective authority, and a WHATWG `URL`
 * per call is measurable. Pure and bounded (the inputs come from files an operator can change).
 */
const parsedTargets = new Map<string, ParsedTarget | null>();
const PARSED_TARGETS_MAX = 256;

function parseTargetUrl(text: string): ParsedTarget | null {
  const cached = parsedTargets.get(text);
  if (cached !== undefined) return cached;
  let result: ParsedTarget | null;
  try {
    const url = new URL(text);
    result = { hostname: url.hostname, host: url.host, port: url.port, hasCredentials: url.username !== '' || url.password !== '' };
  } catch {
    result = null;
  }
  if (parsedTargets.size >= PARSED_TARGETS_MAX) parsedTargets.clear();
  parsedTargets.set(text, result);
  return result;
}
