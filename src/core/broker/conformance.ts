/**
 * The conformance report of broker.md §14: `Core`, `OAuth2`, `WebSocket`, `Signing` and `mTLS`
 * are claimed (Signing and mTLS are real here: Decision 10); `Registry` is true exactly when a
 * registry is loaded.
 *
 * @see ../../../shared/spec/broker.md §14
 */

export interface ConformanceLevels {
  Core: true;
  OAuth2: true;
  WebSocket: true;
  Signing: true;
  mTLS: true;
  Registry: boolean;
}

/**
 * @example conformanceLevels({ registryLoaded: true }) // { Core: true, …, Registry: true }
 */
export function conformanceLevels(options: { registryLoaded: boolean }): ConformanceLevels {
  return { Core: true, OAuth2: true, WebSocket: true, Signing: true, mTLS: true, Registry: options.registryLoaded };
}
