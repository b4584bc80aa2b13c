/**
 * The `macos_keychain` provider name is reserved (Decision 17): on every platform this build
 * supports it fails closed with a provider error, on init and on use.
 *
 * @see ../../../../../shared/spec/vault.md §5.4
 */
import type { BrokerError } from '../../broker-error.js';
import { providerError } from '../vault-errors.js';

export const DEFAULT_KEYCHAIN_SERVICE = 'aivault';
export const DEFAULT_KEYCHAIN_ACCOUNT = 'kek';

export function keychainUnavailable(): BrokerError {
  return providerError('macos_keychain provider is not available on this platform (use the file provider)');
}
