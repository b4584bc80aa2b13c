/**
 * The closed table of error codes. Broker codes (`kind: 'broker'`) are the contract's
 * snake_case set and render as `<PascalCase>: <message>`; the others are aivault's own
 * families whose messages render bare, exactly as the contract quotes them.
 *
 * @see ../../shared/spec/broker.md §13, spec/README.md Decision 15
 */
export const ERROR_CODES = {
  policy_violation: { kind: 'broker', pascal: 'PolicyViolation', http: 403, exit: 1 },
  capability_not_found: { kind: 'broker', pascal: 'CapabilityNotFound', http: 404, exit: 1 },
  credential_not_found: { kind: 'broker', pascal: 'CredentialNotFound', http: 404, exit: 1 },
  credential_ambiguous: { kind: 'broker', pascal: 'CredentialAmbiguous', http: 409, exit: 1 },
  vault_unavailable: { kind: 'broker', pascal: 'VaultUnavailable', http: 503, exit: 1 },
  auth_failed: { kind: 'broker', pascal: 'AuthFailed', http: 502, exit: 1 },
  oauth_refresh_required: { kind: 'broker', pascal: 'OauthRefreshRequired', http: 502, exit: 1 },
  upstream_unreachable: { kind: 'broker', pascal: 'UpstreamUnreachable', http: 502, exit: 1 },
  token_invalid: { kind: 'broker', pascal: 'TokenInvalid', http: 401, exit: 1 },
  invalid_request: { kind: 'broker', pascal: 'InvalidRequest', http: 400, exit: 1 },
  operator_auth_required: { kind: 'broker', pascal: 'OperatorAuthRequired', http: 401, exit: 1 },
  /** Vault layer failures (`vault not enabled`, `secret not found`, provider errors, io, parse). */
  vault_error: { kind: 'plain', pascal: null, http: 503, exit: 1 },
  /** `vault locked`: a passphrase vault without its key. */
  vault_locked: { kind: 'plain', pascal: null, http: 503, exit: 1 },
  /** Operator input refused, quoted bare by cli.md (`credential 'x' already exists`, `--method cannot be empty`, …). */
  operator_error: { kind: 'plain', pascal: null, http: 400, exit: 1 },
  /** `secret not accessible`: the scope rule refused a read. */
  secret_not_accessible: { kind: 'plain', pascal: null, http: 403, exit: 1 },
  /** Network, TLS, timeout and redirect failures talking upstream (URL already redacted). */
  upstream_error: { kind: 'plain', pascal: null, http: 502, exit: 1 },
  /** OAuth token exchange failures. */
  oauth_error: { kind: 'plain', pascal: null, http: 502, exit: 1 },
  /** Client-side daemon failures: connect, protocol, autostart. */
  daemon_error: { kind: 'plain', pascal: null, http: 502, exit: 1 },
  /** Command-line usage errors (unknown flag, missing value): exit 2. */
  usage: { kind: 'plain', pascal: null, http: 400, exit: 2 },
  /** The operation was cancelled (AbortSignal). */
  cancelled: { kind: 'plain', pascal: null, http: 499, exit: 1 },
  /** Anything unexpected; its message never carries a stack or secret. */
  internal: { kind: 'plain', pascal: null, http: 500, exit: 1 },
} as const satisfies Record<string, { kind: 'broker' | 'plain'; pascal: string | null; http: number; exit: 1 | 2 }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type BrokerErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['kind'] extends 'broker' ? K : never;
}[ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The rate limiter's refusal (broker.md §9.1); Decision 15 answers it with 429 on HTTP. */
export const RATE_LIMIT_MESSAGE = 'capability rate limit exceeded';

/**
 * The HTTP status of an error (Decision 15): the table's `http` column, except 429 for the rate
 * limit's `policy_violation` (sent with `Retry-After`, {@link retryAfterSeconds}).
 *
 * @example httpStatusOf({ code: 'policy_violation', message: 'capability rate limit exceeded' }) // 429
 */
export function httpStatusOf(error: { code: ErrorCode; message: string }): number {
  if (error.code === 'policy_violation' && error.message === RATE_LIMIT_MESSAGE) return 429;
  return ERROR_CODES[error.code].http;
}

/** Seconds until the next one-minute rate window opens (Decision 9 windows; at least 1). */
export function retryAfterSeconds(nowMs: number): number {
  return Math.max(1, Math.ceil((60_000 - (nowMs % 60_000)) / 1000));
}
