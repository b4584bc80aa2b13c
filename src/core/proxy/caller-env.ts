/**
 * The caller contract [T-CALLER]: exactly two variables for code an agent runtime starts. Both
 * strings are returned unchanged (no URL normalisation).
 *
 * @see ../../../../shared/spec/transports.md §9
 */

export interface CallerEnv {
  AIVAULT_BASE_URL: string;
  AIVAULT_TOKEN: string;
}

/** @example callerEnv('http://127.0.0.1:19790', record.token) */
export function callerEnv(baseUrl: string, token: string): CallerEnv {
  return { AIVAULT_BASE_URL: baseUrl, AIVAULT_TOKEN: token };
}
