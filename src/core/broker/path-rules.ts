/**
 * Request path rules (security.md §3, Decision 16): must start with `/`; the path part (before the
 * first `?`) is refused when it holds `\`, any `%2e` (case-insensitive), or a `.`/`..` segment.
 * Nothing is decoded or rewritten: the accepted text is what prefixes are matched against.
 *
 * @see ../../../shared/spec/security.md §3
 */
import { invalidRequest, policyViolation } from '../broker-error.js';

export const TRAVERSAL_MESSAGE = 'path traversal is not allowed';

export interface SplitPath {
  /** The path part, exactly as written. */
  pathPart: string;
  /** The raw query text after the first `?`, or `null` when there is no `?`. */
  rawQuery: string | null;
}

/** Splits at the first `?` (no validation). */
export function splitPath(path: string): SplitPath {
  const i = path.indexOf('?');
  return i < 0 ? { pathPart: path, rawQuery: null } : { pathPart: path.slice(0, i), rawQuery: path.slice(i + 1) };
}

/**
 * Applies [S-PATH] to a trimmed request path and returns its parts.
 *
 * @example checkRequestPath('/v1/users?x=1') // { pathPart: '/v1/users', rawQuery: 'x=1' }
 * @example checkRequestPath('/v1/../etc') // throws PolicyViolation: path traversal is not allowed
 */
export function checkRequestPath(path: string): SplitPath {
  const parts = splitPath(path);
  // Decision 16: a backslash in the path part is refused whatever else the path holds.
  if (parts.pathPart.includes('\\')) throw policyViolation(TRAVERSAL_MESSAGE);
  if (!path.startsWith('/')) throw invalidRequest("request.path must start with '/'");
  if (isTraversal(parts.pathPart)) throw policyViolation(TRAVERSAL_MESSAGE);
  return parts;
}

/** True for a path part the traversal rule refuses. */
export function isTraversal(pathPart: string): boolean {
  if (pathPart.includes('\\')) return true;
  if (pathPart.toLowerCase().includes('%2e')) return true;
  return pathPart.split('/').some((segment) => segment === '.' || segment === '..');
}

/**
 * Joins a prefix and a path (broker.md §6.6): `/` becomes the prefix itself, otherwise
 * prefix without trailing `/` + `/` + path without its leading `/`.
 */
export function joinPrefix(prefix: string, path: string): string {
  if (path === '/') return prefix;
  return `${prefix.replace(/\/+$/, '')}/${path.replace(/^\//, '')}`;
}
