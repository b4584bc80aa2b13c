/**
 * The vault layer's error constructors. Every failure is a `BrokerError` with code
 * `vault_error`, `vault_locked` or `secret_not_accessible`, carrying the contract's wording.
 *
 * @see ../../../../shared/spec/vault.md §16
 */
import { BrokerError, vaultError } from '../broker-error.js';

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
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && Object.hasOwn(OS_ERROR_TEXT, code)) return OS_ERROR_TEXT[code]!;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message.length > 0) return message;
    if (typeof code === 'string') return code;
  }
  return 'unknown error';
}

/** Rust's `io::Error` display for the errno codes a vault file operation can meet (Linux numbers). */
const OS_ERROR_TEXT: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted (os error 1)',
  ENOENT: 'No such file or directory (os error 2)',
  EIO: 'Input/output error (os error 5)',
  EACCES: 'Permission denied (os error 13)',
  EBUSY: 'Device or resource busy (os error 16)',
  EEXIST: 'File exists (os error 17)',
  EXDEV: 'Invalid cross-device link (os error 18)',
  ENOTDIR: 'Not a directory (os error 20)',
  EISDIR: 'Is a directory (os error 21)',
  EMFILE: 'Too many open files (os error 24)',
  ENOSPC: 'No space left on device (os error 28)',
  EROFS: 'Read-only file system (os error 30)',
  ENAMETOOLONG: 'File name too long (os error 36)',
  ENOTEMPTY: 'Directory not empty (os error 39)',
  ELOOP: 'Too many levels of symbolic links (os error 40)',
  EDQUOT: 'Disk quota exceeded (os error 122)',
};

/** True when an fs error means "no such file or directory". */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
