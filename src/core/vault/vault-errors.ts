/**
 * The vault layer's error constructors. Every failure is a `BrokerError` with code
 * `vault_error`, `vault_locked` or `secret_not_accessible`, carrying the contract's wording.
 *
 * @see ../../../../shared/spec/vault.md §16
 */
import { BrokerError, vaultError } from '../broker-error.js';
import { knownOsErrorText } from '../os-error-text.js';

/** A bare `vault_error` message (`vault not enabled`, `secret not found`, …). */
export function vaultFailure(message: string, cause?: unknown): BrokerError {
  return vaultError(message, cause);
}

/** `vault provider misconfigured: <detail>` (provider and crypto failures, vault.md §5, §6.2). */
export function providerError(detail: string, cause?: unknown): BrokerError {
  return vaultFailure(`vault provider misconfigured: ${detail}`, cause);
}

export function vaultLocked(): BrokerError {
  return new BrokerError({ code: 'vault_locked', message: 'vault locked' });
}

export function notAccessible(): BrokerError {
  return new BrokerError({ code: 'secret_not_accessible', message: 'secret not accessible' });
}

export const notEnabled = (): BrokerError => vaultFailure('vault not enabled');
/** `init` asked for another provider than the existing vault's (Decision 18). */
export const alreadyInitialised = (providerType: string): BrokerError =>
  vaultFailure(`vault already initialised with provider '${providerType}'; use aivault rotate-master to change it`);
export const secretNotFound = (): BrokerError => vaultFailure('secret not found');

/** `io error: <os error>` for filesystem failures that abort an operation (vault.md §16). */
export function ioError(error: unknown): BrokerError {
  return vaultFailure(`io error: ${osErrorText(error)}`, error);
}

/**
 * The `<os error>` text of a thrown fs error, as the original prints it (Rust's
 * `No such file or directory (os error 2)`) for the common errno codes, else the error's
 * message. Never file contents; never the path (the contract's messages name paths themselves).
 */
export function osErrorText(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const known = knownOsErrorText(error);
    if (known !== undefined) return known;
    const code = (error as { code?: unknown }).code;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message.length > 0) return message;
    if (typeof code === 'string') return code;
  }
  return 'unknown error';
}


/** True when an fs error means "no such file or directory". */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
