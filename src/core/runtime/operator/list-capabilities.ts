/**
 * `capability list`: Ready (credential configured) and Available (needs credential) groups.
 * Decisions 17/18: no Postgres/Plaid code-defined families, so a fresh vault shows 283.
 *
 * @see ../../../../../shared/spec/cli.md §6.1
 */
import { capabilityJson } from '../../registry/broker-store.js';
import { deriveRegistryCredentials } from '../../registry/derive.js';
import type { Registry } from '../../registry/registry.js';
import type { Capability, CapabilityPolicy } from '../../registry/types.js';
import type { OperatorDeps } from './operator-deps.js';

export interface AvailableProviderGroup {
  provider: string;
  capabilities: Capability[];
  /** `aivault secrets create … && …` for registry providers with primary claims, else `null`. */
  setup: string | null;
}

export interface CapabilityListing {
  ready: Capability[];
  available: Capability[];
  /** `available` grouped by provider (ascending), ids in order, for the human layout. */
  availableByProvider: AvailableProviderGroup[];
  policies: Array<{ capabilityId: string; policy: CapabilityPolicy }>;
  /** ready + available. */
  count: number;
  path: string;
}

/** @see ../../../../../shared/spec/cli.md §6.1 */
export async function listCapabilities(deps: OperatorDeps): Promise<CapabilityListing> {
  const { registry } = deps;
  const state = await deps.brokerStore.load();
  const derived = await deriveRegistryCredentials({
    vault: deps.vault,
    registry,
    clock: deps.clock,
    secrets: await deps.vault.listSecrets(),
    stored: state.credentials,
  });
  const ready = new Map<string, Capability>();
  for (const stored of state.capabilities) ready.set(stored.id, capabilityJson(registry.capability(stored.id) ?? stored));
  const withCredential = new Set([...state.credentials.map((c) => c.provider), ...derived.credentials.map((c) => c.provider)]);
  for (const provider of withCredential) {
    for (const c of registry.provider(provider)?.capabilities ?? []) ready.set(c.id, capabilityJson(c));
  }
  const available = registry.capabilities.filter((c) => !ready.has(c.id)).map(capabilityJson);
  const readyList = [...ready.values()].sort((a, b) => cmp(a.id, b.id));
  return {
    ready: readyList,
    available,
    availableByProvider: groupByProvider(registry, available),
    policies: state.policies,
    count: readyList.length + available.length,
    path: deps.brokerStore.path,
  };
}

/** The `Setup:` command of a registry provider with primary claims (names ascending). */
export function setupCommands(registry: Registry, provider: string): string[] {
  const names = Object.keys(registry.provider(provider)?.vaultSecrets ?? {}).sort();
  return names.map((name) => `aivault secrets create --name ${name} --value "..." --scope global`);
}

// --- internal ---

function groupByProvider(registry: Registry, available: Capability[]): AvailableProviderGroup[] {
  const groups = new Map<string, Capability[]>();
  for (const c of available) groups.set(c.provider, [...(groups.get(c.provider) ?? []), c]);
  return [...groups.keys()].sort(cmp).map((provider) => {
    const commands = setupCommands(registry, provider);
    return { provider, capabilities: groups.get(provider)!, setup: commands.length > 0 ? commands.join(' && ') : null };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
