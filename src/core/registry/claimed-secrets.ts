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

interface CompositeCandidate {
  provider: string;
  names: readonly string[];
}

const compositesByRegistry = new WeakMap<Registry, readonly CompositeCandidate[]>();

/** The candidates whose claims need a composite secret (registries are immutable: memoised). */
function compositeCandidates(registry: Registry): readonly CompositeCandidate[] {
  let list = compositesByRegistry.get(registry);
  if (list === undefined) {
    list = registry.providers.flatMap((provider) =>
      candidatesFor(provider)
        .filter((candidate) => needsComposite(candidate.claims, candidate.auth))
        .map((candidate) => ({ provider: provider.provider, names: Object.keys(candidate.claims) })),
    );
    compositesByRegistry.set(registry, list);
  }
  return list;
}

/**
 * What `deriveRegistryCredentials` reads from `secrets`: the claimed secrets (revoked included,
 * derivation skips them) and any existing composite it may reuse. Two index lookups at most.
 */
export async function secretsForDerivation(vault: Vault, registry: Registry): Promise<SecretMetadata[]> {
  const claimed = await vault.secretsNamed(claimedSecretNames(registry));
  if (claimed.length === 0) return claimed;
  const groups = groupByScope(claimed);
  const composites = new Set<string>();
  for (const candidate of compositeCandidates(registry)) {
    for (const group of groups.values()) {
      if (candidate.names.every((name) => group.byName.has(name))) composites.add(compositeSecretName(candidate.provider, group.scope));
    }
  }
  if (composites.size === 0) return claimed;
  return [...claimed, ...(await vault.secretsNamed([...composites]))];
}
