/**
 * What happens after `secrets create` / `secrets import`: pin a registry-claimed secret to its
 * provider, then auto-provision the provider's credential in `broker.json` once every primary
 * claimed secret exists in that exact scope. Returns the stderr lines the CLI prints.
 *
 * @see ../../../../shared/spec/registry.md §7.1, §7.4, vault.md §7, Decision 14
 */
import type { SecretMetadata, Vault } from '../vault/types.js';
import { capabilityJson, storedCredentialJson, type BrokerStore } from './broker-store.js';
import { secretReferenceFor } from './composite-secret.js';
import { groupByScope } from './derive.js';
import type { Registry } from './registry.js';
import { derivedCredentialId, scopeContext, scopeKey } from './scope-ids.js';
import type { StoredCredential } from './types.js';

export interface ProvisionOptions {
  vault: Vault;
  registry: Registry;
  brokerStore: BrokerStore;
  /** The secret just created (or, for import, created or rotated). */
  secret: SecretMetadata;
  /** `create` prints the `Secret created: … (pinned to provider: …)` line; `import` does not. */
  command: 'create' | 'import';
  /**
   * Called with each stderr line as soon as it is known, so a later failure (which `secrets
   * create` reports with exit 1) still follows the `Secret created:` / `Waiting for` lines already due.
   */
  emit?: (line: string) => void | Promise<void>;
}

export interface ProvisionResult {
  /** The claiming provider, when the name is claimed. */
  provider?: string;
  /** Lines for stderr, in order. */
  lines: string[];
  /** Credential id inserted or replaced in `broker.json`, if any. */
  credentialId?: string;
}

/**
 * Pins and auto-provisions (registry.md §7.4). Errors propagate: `secrets create` fails with them,
 * `secrets import` ignores them (the caller decides).
 *
 * @example lines: ['Secret created: OPENAI_API_KEY (pinned to provider: openai)', 'Credential auto-provisioned: openai (20 capabilities enabled)']
 */
export async function provisionForSecret(options: ProvisionOptions): Promise<ProvisionResult> {
  const { vault, registry, secret } = options;
  const name = secret.name.trim();
  const providerId = registry.claimOwner(name);
  if (providerId === undefined) return { lines: [] };
  const provider = registry.provider(providerId)!;
  if (secret.pinnedProvider !== providerId) await vault.pinProvider(secret.secretId, providerId);
  const lines: string[] = [];
  const say = async (line: string) => {
    lines.push(line);
    await options.emit?.(line);
  };
  if (options.command === 'create') await say(`Secret created: ${name} (pinned to provider: ${providerId})`);

  const claims = provider.vaultSecrets;
  const claimed = Object.keys(claims);
  if (claimed.length === 0) return { provider: providerId, lines };
  const wanted = scopeKey(secret.scope);
  const group = groupByScope(await vault.listSecrets()).get(wanted);
  const missing = claimed.filter((n) => !group?.byName.has(n)).sort();
  if (group === undefined || missing.length > 0) {
    await say(`Waiting for ${missing.join(', ')} to complete ${providerId} credential`);
    return { provider: providerId, lines };
  }

  const secretRef = await secretReferenceFor({
    vault,
    provider: providerId,
    claims,
    auth: provider.auth,
    secretsByName: group.byName,
    scopeSecrets: group.secrets,
  });
  const id = derivedCredentialId(providerId, group.scope);
  const desired: StoredCredential = {
    id,
    provider: providerId,
    ...scopeContext(group.scope),
    auth: provider.auth,
    hosts: [...provider.hosts],
    secretRef,
  };
  const state = await options.brokerStore.load();
  const index = state.credentials.findIndex((c) => c.id === id);
  const existing = index < 0 ? undefined : state.credentials[index];
  const reconciled = existing !== undefined && canonical(existing) !== canonical(desired);
  let changed = existing === undefined || reconciled;
  if (existing === undefined) state.credentials.push(desired);
  else if (reconciled) state.credentials[index] = desired;
  for (const capability of provider.capabilities) {
    const at = state.capabilities.findIndex((c) => c.id === capability.id);
    if (at < 0) {
      state.capabilities.push(capabilityJson(capability));
      changed = true;
    } else if (JSON.stringify(state.capabilities[at]) !== JSON.stringify(capability)) {
      state.capabilities[at] = capabilityJson(capability);
      changed = true;
    }
  }
  if (changed) await options.brokerStore.save(state);
  if (existing === undefined) {
    const n = provider.capabilities.length;
    await say(`Credential auto-provisioned: ${id} (${n} ${n === 1 ? 'capability' : 'capabilities'} enabled)`);
  } else if (reconciled) {
    await say(`Credential auto-reconciled: ${id} (registry auth/hosts/secret binding refreshed)`);
  }
  return { provider: providerId, lines, ...(changed ? { credentialId: id } : {}) };
}

// --- internal ---

/** Field-by-field comparison through the stored JSON form (omitted fields normalised). */
function canonical(c: StoredCredential): string {
  return JSON.stringify(storedCredentialJson(c));
}
