/**
 * The passthrough route `/v/{credential}/<upstream path>[?query]` [T-PASS-ROUTE]: the credential
 * segment is used verbatim (no decoding, no trimming); the upstream path is the remainder from
 * the `/` that ends it, query included.
 *
 * @see ../../../../shared/spec/transports.md §4
 */
import { invalidRequest } from '../broker-error.js';

export interface PassthroughRoute {
  credential: string;
  /** Starts with `/`; carries the caller's `?query` when there is one. */
  upstreamPath: string;
}

/**
 * @example parseRoute('/v/openai/v1/models') // { credential: 'openai', upstreamPath: '/v1/models' }
 * @example parseRoute('/v/openai/') // throws InvalidRequest: passthrough path must include credential and upstream path
 */
export function parseRoute(route: string): PassthroughRoute {
  const trimmed = route.trim();
  if (!trimmed.startsWith('/v/')) throw invalidRequest('passthrough path must start with /v/{credential}/');
  const rest = trimmed.slice(3);
  const slash = rest.indexOf('/');
  const credential = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? '' : rest.slice(slash + 1);
  if (credential.trim() === '' || tail.trim() === '') throw invalidRequest('passthrough path must include credential and upstream path');
  return { credential, upstreamPath: rest.slice(slash) };
}
