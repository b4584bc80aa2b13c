import { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';

export interface BrokerErrorOptions {
  code: ErrorCode;
  message: string;
  /** Structured, secret-free detail (for example a schema path). */
  details?: Record<string, unknown>;
  /** Never serialised; kept for local debugging only. */
  cause?: unknown;
  /** Set on errors decoded from a socket or HTTP reply. */
  fromWire?: boolean;
}

/** Marks instances across bundle copies (the CLI bin and its lazily loaded modules each carry one). */
const BRAND = Symbol.for('aivault.BrokerError');

/**
 * The one error class of aivault. `code` comes from the closed table in `error-codes.ts`;
 * `message` is the contract's wording and never contains secret material.
 *
 * @see ../../shared/spec/broker.md §13
 */
export class BrokerError extends Error {
  /** `instanceof` checks the brand, so an error from another copy of this module still counts. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly fromWire: boolean;

  constructor(options: BrokerErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = options.code;
    this.details = options.details;
    this.fromWire = options.fromWire ?? false;
  }

  /** Normalises anything thrown. Unknown errors become `internal` without leaking their text. */
  static from(error: unknown): BrokerError {
    if (error instanceof BrokerError) return error;
    if (isAbortError(error)) return new BrokerError({ code: 'cancelled', message: 'operation cancelled', cause: error });
    return new BrokerError({ code: 'internal', message: 'internal error', cause: error });
  }

  /** `{error, message}`: the structured shape used by JSON outputs and the HTTP transport. */
  toJSON(): { error: ErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** Text rendering of the contract: `<PascalCase>: <message>` for broker codes, bare otherwise. */
export function renderErrorText(error: BrokerError): string {
  const pascal = ERROR_CODES[error.code].pascal;
  return pascal === null ? error.message : `${pascal}: ${error.message}`;
}

/** Shorthand constructors keep call sites to one line. */
export const policyViolation = (message: string): BrokerError => new BrokerError({ code: 'policy_violation', message });
export const invalidRequest = (message: string, details?: Record<string, unknown>): BrokerError =>
  new BrokerError({ code: 'invalid_request', message, ...(details ? { details } : {}) });
export const vaultError = (message: string, cause?: unknown): BrokerError =>
  new BrokerError({ code: 'vault_error', message, cause });

export function isBrokerError(error: unknown, code?: ErrorCode): error is BrokerError {
  return error instanceof BrokerError && (code === undefined || error.code === code);
}

export { isErrorCode };

// --- internal ---

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
