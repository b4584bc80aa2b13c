/**
 * CLI-side error constructors. The contract prints these bare with exit 1 (`operator_error`,
 * a plain code; never carries a secret).
 *
 * @see ../../../shared/spec/cli.md §1.4
 */
import { BrokerError } from '../core/broker-error.js';

/** A runtime error about the operator's input (exit 1), e.g. `--method cannot be empty`. */
export function inputError(message: string): BrokerError {
  return new BrokerError({ code: 'operator_error', message });
}

/** A daemon/client failure (connect, protocol, autostart), exit 1. */
export function daemonError(message: string, cause?: unknown): BrokerError {
  return new BrokerError({ code: 'daemon_error', message, ...(cause === undefined ? {} : { cause }) });
}

/** The `<reason>` part of an OS error: its message without the syscall noise node prepends. */
export function osReason(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const known: Record<string, string> = {
      ENOENT: 'No such file or directory (os error 2)',
      EACCES: 'Permission denied (os error 13)',
      ECONNREFUSED: 'Connection refused (os error 111)',
      EISDIR: 'Is a directory (os error 21)',
      ENOTDIR: 'Not a directory (os error 20)',
      EPERM: 'Operation not permitted (os error 1)',
      ENOTSOCK: 'Socket operation on non-socket (os error 88)',
    };
    if (code !== undefined && Object.hasOwn(known, code)) return known[code]!;
    if (typeof e.message === 'string') return e.message;
  }
  return String(error);
}
