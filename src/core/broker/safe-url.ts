/**
 * Upstream URL building (broker.md §8.1) and the safe URL shown to callers [B-SAFEURL]: the same
 * URL built from the redacted path and query. Any message that could carry the real URL or a
 * secret is passed through `redactMessage` before it leaves the broker.
 *
 * @see ../../../shared/spec/broker.md §8.1, §8.2; security.md §8
 */
import { encodeQuery, formEncode, type QueryPair } from './query.js';

export interface BuiltUrl {
  /** Absolute URL string, query appended with form encoding; no bare trailing `?`. */
  href: string;
  /** The URL-serialised path that goes on the wire. */
  wirePath: string;
}

/**
 * `<scheme>://<authority><path>` parsed as a URL (characters not allowed in a path are
 * percent-encoded, existing `%XX` kept; `?`/`#` in the path are kept as text), then the pairs.
 */
export function buildUpstreamUrl(scheme: string, authority: string, path: string, query: readonly QueryPair[]): BuiltUrl {
  const url = new URL(`${scheme}://${authority}${path.replace(/\?/g, '%3F').replace(/#/g, '%23')}`);
  const q = encodeQuery(query);
  return { href: `${url.protocol}//${url.host}${url.pathname}${q === '' ? '' : `?${q}`}`, wirePath: url.pathname };
}

/** The safe URL, or `<scheme>://<authority>` when it cannot be computed (fail closed). */
export function buildSafeUrl(scheme: string, authority: string, safePath: string, safeQuery: readonly QueryPair[]): string {
  try {
    return buildUpstreamUrl(scheme, authority, safePath, safeQuery).href;
  } catch {
    return `${scheme}://${authority}`;
  }
}

/**
 * Replaces the real URL by the safe one and every secret (raw, URI- and form-encoded) by
 * `REDACTED`. Very short secrets (under 3 characters) are left alone to keep messages readable.
 */
export function redactMessage(message: string, realUrl: string, safeUrl: string, secrets: readonly string[]): string {
  let out = message.split(realUrl).join(safeUrl);
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < 3) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(formEncode(s));
  }
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('REDACTED');
  return out;
}
