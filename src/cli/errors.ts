/**
 * CLI-side error constructors. The contract prints these bare with exit 1 (`operator_error`,
 * a plain code; never carries a secret).
 *
 * @see ../../../shared/spec/cli.md §1.4
 */
import { BrokerError } from '../core/broker-error.js';
import { knownOsErrorText } from '../core/os-error-text.js';

/** A runtime error about the operator's input (exit 1), e.g. `--method cannot be empty`. */
export function inputError(message: string): BrokerError {
  return new BrokerError({ code: 'operator_error', message });
}

/** A daemon/client failure (connect, protocol, autostart), exit 1. */
export function daemonError(message: string, cause?: unknown): BrokerError {
  return new BrokerError({ code: 'daemon_error', message, ...(cause === undefined ? {} : { cause }) });
}

/** The `<reason>` part of an OS error: Rust's text for a known errno, else the error's message. */
export function osReason(error: unknown): string {
  return knownOsErrorText(error) ?? (error instanceof Error ? error.message : String(error));
}
