/**
 * What the operator API works on: the vault, the compiled-in registry and the two stores.
 * Every operator function is a plain async function over these, returning plain data.
 *
 * @see ../../../../../shared/spec/cli.md §5-§6, §9-§10
 */
import { BrokerError } from '../../broker-error.js';
import type { Clock } from '../../ports.js';
import type { BindingsStore } from '../../registry/bindings-store.js';
import type { BrokerStore } from '../../registry/broker-store.js';
import type { Registry } from '../../registry/registry.js';
import type { Vault } from '../../vault/types.js';

export interface OperatorDeps {
  vault: Vault;
  registry: Registry;
  brokerStore: BrokerStore;
  bindingsStore: BindingsStore;
  clock: Clock;
}

/** Operator-command failures whose cli.md wording is printed bare: the plain `operator_error` code (exit 1). */
export function operatorError(message: string): BrokerError {
  return new BrokerError({ code: 'operator_error', message });
}

/** `secret does not exist: secret not found` (or the ref's own parse error). */
export async function existingSecret(vault: Vault, secretId: string) {
  try {
    return await vault.getSecret(secretId);
  } catch (error) {
    if (error instanceof BrokerError && error.message === 'secret not found') throw operatorError('secret does not exist: secret not found');
    throw error;
  }
}
