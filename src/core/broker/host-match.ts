/**
 * Host pattern matching (security.md §5): exact names (URL-parsed, so IPv6 and punycode forms
 * compare equal) or a leading `*.` wildcard with a dot boundary (the apex never matches); a
 * pattern port must equal the host port, a pattern without a port accepts any port.
 *
 * @see ../../../shared/spec/security.md §5
 */

interface HostParts {
  name: string;
  port: string | null;
}

/**
 * @example hostMatches('*.openai.com', 'api.openai.com') // true
 * @example hostMatches('api.openai.com', 'api.openai.com.exfil.io') // false
 */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.trim().toLowerCase();
  const h = splitExact(host.trim().toLowerCase());
  if (h === null) return false;
  if (p.startsWith('*.')) {
    const w = splitWildcard(p);
    const suffix = w.name.slice(2);
    if (suffix === '' || h.name === suffix || !h.name.endsWith(`.${suffix}`)) return false;
    return w.port === null || w.port === h.port;
  }
  const e = splitExact(p);
  if (e === null || e.name !== h.name) return false;
  return e.port === null || e.port === h.port;
}

// --- internal ---

function splitExact(authority: string): HostParts | null {
  if (authority === '' || /[@/?#\s\\]/.test(authority)) return null;
  try {
    const url = new URL(`https://${authority}/`);
    if (url.username !== '' || url.password !== '') return null;
    return { name: url.hostname, port: url.port === '' ? null : url.port };
  } catch {
    return null;
  }
}

function splitWildcard(pattern: string): HostParts {
  const m = /^(.*):(\d+)$/.exec(pattern);
  return m ? { name: m[1]!, port: String(Number(m[2]!)) === '443' ? null : String(Number(m[2]!)) } : { name: pattern, port: null };
}
