/**
 * `capability create | delete | policy set` (cli.md §6.3-§6.5).
 *
 * @see ../../../../../shared/spec/cli.md §6.3-§6.5
 */
import { capabilityJson, policyJson } from '../../registry/broker-store.js';
import { validateCapability } from '../../registry/capability.js';
import type { Capability, CapabilityPolicy } from '../../registry/types.js';
import { operatorError, type OperatorDeps } from './operator-deps.js';

export interface CreateCapabilityInput {
  id: string;
  provider?: string;
  credential?: string;
  methods: readonly string[];
  pathPrefixes: readonly string[];
  hosts?: readonly string[];
}

/**
 * Stores a custom capability. Decision 2: it is validated strictly now (exactly one exact host,
 * non-blank methods, prefixes starting with `/`) instead of breaking invocations later.
 */
export async function createCapability(deps: OperatorDeps, input: CreateCapabilityInput): Promise<Capability> {
  const id = input.id.trim();
  if (id.length === 0) throw operatorError('capability id is required');
  const state = await deps.brokerStore.load();
  if (state.capabilities.some((c) => c.id === id)) throw operatorError(`capability '${id}' already exists`);
  if (input.methods.length === 0) throw operatorError('at least one --method is required');
  if (input.pathPrefixes.length === 0) throw operatorError('at least one --path is required');
  // The credential is consulted only for what the flags leave out (cli.md §6.3).
  const credentialId = input.credential?.trim() || undefined;
  const fromCredential = () => {
    const found = state.credentials.find((c) => c.id === credentialId);
    if (found === undefined) throw operatorError(`credential '${credentialId}' not found`);
    return found;
  };
  let provider: string;
  if (input.provider !== undefined) provider = input.provider.trim();
  else if (credentialId !== undefined) provider = fromCredential().provider;
  else throw operatorError('--provider or --credential is required for capability create');
  let hosts: string[];
  if (input.hosts !== undefined && input.hosts.length > 0) hosts = [...input.hosts];
  else if (credentialId !== undefined) hosts = [...fromCredential().hosts];
  else throw operatorError('at least one --host is required when --credential is not provided');
  if (provider.length === 0) throw operatorError('capability id and provider are required');
  const capability: Capability = { id, provider, allow: { hosts: [...hosts], methods: [...input.methods], pathPrefixes: [...input.pathPrefixes] } };
  validateCapability(capability, 'custom');
  state.capabilities.push(capability);
  await deps.brokerStore.save(state);
  return capabilityJson(capability);
}

/** Removes the capability and its policy from `broker.json`. */
export async function deleteCapability(deps: OperatorDeps, rawId: string): Promise<{ removedCapability: boolean; removedPolicy: boolean; id: string }> {
  const id = rawId.trim();
  const state = await deps.brokerStore.load();
  const caps = state.capabilities.filter((c) => c.id !== id);
  const policies = state.policies.filter((p) => p.capabilityId !== id);
  const removedCapability = caps.length !== state.capabilities.length;
  const removedPolicy = policies.length !== state.policies.length;
  if (removedCapability || removedPolicy) await deps.brokerStore.save({ ...state, capabilities: caps, policies });
  return { removedCapability, removedPolicy, id };
}

export interface SetPolicyInput {
  capability: string;
  rateLimitPerMinute?: number | null;
  maxRequestBodyBytes?: number | null;
  maxResponseBodyBytes?: number | null;
  responseBodyBlocklist?: readonly string[];
}

/** Replaces the capability's policy wholesale (omitted fields become `null` / `[]`). */
export async function setCapabilityPolicy(deps: OperatorDeps, input: SetPolicyInput): Promise<{ capabilityId: string; policy: CapabilityPolicy }> {
  const capabilityId = input.capability.trim();
  if (capabilityId.length === 0) throw operatorError('--capability is required');
  const state = await deps.brokerStore.load();
  if (!state.capabilities.some((c) => c.id === capabilityId)) throw operatorError(`capability '${capabilityId}' not found`);
  const policy = policyJson({
    rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    maxRequestBodyBytes: input.maxRequestBodyBytes ?? null,
    maxResponseBodyBytes: input.maxResponseBodyBytes ?? null,
    responseBodyBlocklist: [...(input.responseBodyBlocklist ?? [])],
  });
  state.policies = [...state.policies.filter((p) => p.capabilityId !== capabilityId), { capabilityId, policy }];
  await deps.brokerStore.save(state);
  return { capabilityId, policy };
}
