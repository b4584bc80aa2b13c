/**
 * `capability bind | unbind | bindings` (cli.md §6.6-§6.8).
 *
 * @see ../../../../../shared/spec/cli.md §6.6-§6.8, vault.md §9, registry.md §10
 */
import { bindingJson, bindingScopeKey, removeBinding, sortBindings, toBindingScope, upsertBinding, type BindingScopeInput } from '../../registry/bindings-store.js';
import { parseSecretRef } from '../../registry/secret-ref.js';
import type { CapabilityBinding } from '../../registry/types.js';
import { existingSecret, operatorError, type OperatorDeps } from './operator-deps.js';

export interface BindInput extends BindingScopeInput {
  capability: string;
  secretRef: string;
  consumer?: string | null;
}

/** Binds a secret to a capability; a pinned secret only to a capability of its provider. */
export async function bindCapability(deps: OperatorDeps, input: BindInput): Promise<CapabilityBinding> {
  const secret = await existingSecret(deps.vault, parseSecretRef(input.secretRef));
  const capabilityId = input.capability.trim();
  if (secret.pinnedProvider !== undefined) {
    const state = await deps.brokerStore.load();
    const provider = (state.capabilities.find((c) => c.id === capabilityId) ?? deps.registry.capability(capabilityId))?.provider;
    if (provider !== secret.pinnedProvider) {
      const shown = provider === undefined ? 'None' : `Some("${provider}")`;
      throw operatorError(`secret is pinned to provider '${secret.pinnedProvider}' and cannot be bound to capability '${capabilityId}' (provider ${shown})`);
    }
  }
  const scope = toBindingScope(input);
  const { bindings, binding } = upsertBinding(await deps.bindingsStore.load(), { capability: capabilityId, secretRef: input.secretRef, scope, consumer: input.consumer ?? null }, deps.clock.now());
  await deps.bindingsStore.save(bindings);
  return bindingJson(binding);
}

/** Removes exactly that (capability, scope, consumer) binding; saves only if removed. */
export async function unbindCapability(
  deps: OperatorDeps,
  input: BindingScopeInput & { capability: string; consumer?: string | null },
): Promise<{ removed: boolean; path: string }> {
  const scope = toBindingScope(input);
  const { bindings, removed } = removeBinding(await deps.bindingsStore.load(), { capability: input.capability, scope, consumer: input.consumer ?? null });
  if (removed) await deps.bindingsStore.save(bindings);
  return { removed, path: deps.bindingsStore.path };
}

export interface BindingsFilter {
  capability?: string | null;
  /** When given, the exact scope (ids required as for bind). */
  scope?: BindingScopeInput | null;
  consumer?: string | null;
}

/** Sorted bindings, filtered by exact capability (when given), scope and (non-blank) consumer. */
export async function listBindings(deps: OperatorDeps, filter: BindingsFilter = {}): Promise<CapabilityBinding[]> {
  // Exact match on the trimmed id, as given: a blank `--capability` matches nothing (cli.md §6.8).
  const capability = filter.capability?.trim();
  const scopeKey = filter.scope ? bindingScopeKey(toBindingScope(filter.scope)) : undefined;
  const consumer = filter.consumer?.trim() || undefined;
  return sortBindings(await deps.bindingsStore.load())
    .filter((b) => capability === undefined || b.capability === capability)
    .filter((b) => scopeKey === undefined || bindingScopeKey(b.scope) === scopeKey)
    .filter((b) => consumer === undefined || b.consumer === consumer)
    .map(bindingJson);
}
