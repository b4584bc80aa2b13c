/**
 * The secrets registry derivation needs, fetched by name instead of listing the vault: the names
 * the registry claims (computed once per registry), then the composite secrets of the scopes where
 * a composite-auth candidate is satisfied. Cost follows the claimed secrets, not the vault's size.
 *
 * @see ../../../../shared/spec/registry.md §7.2, §7.3
 */
import type { SecretMetadata, Vault } from '../vault/types.js';
import { needsComposite } from './composite-secret.js';
import { candidatesFor, groupByScope } from './derive.js';
import type { Registry } from './registry.js';
import { compositeSecretName } from './scope-ids.js';

const claimedByRegistry = new WeakMap<Registry, readonly string[]>();

/** Every secret name a provider or one of its alternatives claims (registries are immutable: memoised). */
export function claimedSecretNames(registry: Registry): readonly string[] {
  let names = claimedByRegistry.get(registry);
  if (names === undefined) {
    const set = new Set<string>();
    for (const provider of registry.providers) for (const candidate of candidatesFor(provider)) for (const name of Object.keys(candidate.claims)) set.add(name);
    names = [...set];
    claimedByRegistry.set(registry, names);
  }
  return names;
}

/**
 * What `deriveRegistryCredentials` reads from `secrets`: the claimed secrets (revoked included,
 * derivation skips them) and any existing composite it may reuse. Two index lookups at most.
 */
export async function secretsForDerivation(vault: Vault, registry: Registry): Promise<SecretMetadata[]> {
  const claimed = await vault.secretsNamed(claimedSecretNames(registry));
  const groups = groupByScope(claimed);
  const composites = new Set<string>();
  for (const provider of registry.providers) {
    for (const candidate of candidatesFor(provider)) {
      if (!needsComposite(candidate.claims, candidate.auth)) continue;
      const names = Object.keys(candidate.claims);
      for (const group of groups.values()) {
        if (names.every((name) => group.byName.has(name))) composites.add(compositeSecretName(provider.provider, group.scope));
      }
    }
  }
  if (composites.size === 0) return claimed;
  return [...claimed, ...(await vault.secretsNamed([...composites]))];
}
