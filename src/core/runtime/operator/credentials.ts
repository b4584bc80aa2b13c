/**
 * `credential create | list | delete` (cli.md §5).
 *
 * @see ../../../../../shared/spec/cli.md §5, registry.md §11
 */
import { policyViolation } from '../../broker-error.js';
import { validateAuthStrategy } from '../../registry/auth-strategy.js';
import { formatBrokerStateProblem, storedCredentialJson, upsertById } from '../../registry/broker-store.js';
import { deriveRegistryCredentials } from '../../registry/derive.js';
import { normalizeHosts, validateHostPattern } from '../../registry/host-pattern.js';
import { parseSecretRef } from '../../registry/secret-ref.js';
import type { AuthStrategy, MaxPolicyMode, StoredCredential } from '../../registry/types.js';
import { existingSecret, operatorError, type OperatorDeps } from './operator-deps.js';

export interface CreateCredentialInput {
  id: string;
  provider: string;
  secretRef: string;
  workspaceId?: string | null;
  groupId?: string | null;
  /** Built by the CLI from `--auth` and its flags (`parseAuthType` + overrides); absent = registry default. */
  auth?: AuthStrategy;
  hosts?: readonly string[];
  maxPolicyMode?: MaxPolicyMode;
}

const POSTGRES_AUTH: AuthStrategy = { header: { header_name: 'x-aivault-postgres', value_template: '{{secret}}' } };

/**
 * Creates a `broker.json` credential; for a registry provider also upserts all its capabilities.
 * Returns the stored credential in its JSON form.
 *
 * @see ../../../../../shared/spec/cli.md §5.1
 */
export async function createCredential(deps: OperatorDeps, input: CreateCredentialInput): Promise<Record<string, unknown>> {
  // The original's order: id, duplicate id (cli.md §5.1 step 1), provider, context.
  const id = input.id.trim();
  if (id.length === 0) throw operatorError('credential id is required');
  const state = await deps.brokerStore.load();
  if (state.credentials.some((c) => c.id === id)) throw operatorError(`credential '${id}' already exists`);
  const provider = input.provider.trim();
  if (provider.length === 0) throw operatorError('credential provider is required');
  const workspaceId = input.workspaceId?.trim() || null;
  const groupId = input.groupId?.trim() || null;
  if (groupId !== null && workspaceId === null) throw operatorError('--workspace-id is required when --group-id is provided');
  if (input.maxPolicyMode !== undefined && provider !== 'postgres') {
    throw operatorError('--max-policy-mode is currently only supported for postgres credentials');
  }

  const template = deps.registry.provider(provider);
  const auth = input.auth ?? template?.auth ?? (provider === 'postgres' ? POSTGRES_AUTH : undefined);
  if (auth === undefined) throw operatorError('--auth is required when provider is not in built-in registry');
  // An empty multi-header list is stored as the original does (it fails at run time); the rest fails closed now.
  if (!(typeof auth === 'object' && 'multi_header' in auth && auth.multi_header.length === 0)) validateAuthStrategy(auth);
  const rawHosts = input.hosts !== undefined && input.hosts.length > 0 ? input.hosts : template?.hosts;
  if (rawHosts === undefined) throw operatorError('at least one --host is required when provider is not in built-in registry');
  // Checked in normalised form now; stored as given (cli.md §5.1 step 3), normalised again at run time (vault.md §10.1).
  const normalized = normalizeHosts(rawHosts).map((h) => validateHostPattern(h, 'strict'));
  // `--host ' '` normalises to nothing: a credential must name at least one host (security.md §2).
  if (normalized.length === 0) throw policyViolation('credential hosts are required');
  const hosts = [...rawHosts];

  const secret = await existingSecret(deps.vault, parseSecretRef(input.secretRef));
  if (secret.pinnedProvider !== undefined && secret.pinnedProvider !== provider) {
    throw operatorError(`secret is pinned to provider '${secret.pinnedProvider}' and cannot be used for provider '${provider}'`);
  }
  const credential: StoredCredential = {
    id,
    provider,
    workspaceId,
    groupId,
    auth,
    hosts,
    secretRef: input.secretRef.trim(),
    ...(input.maxPolicyMode !== undefined ? { maxPolicyMode: input.maxPolicyMode } : {}),
  };
  state.credentials.push(credential);
  if (template !== undefined) for (const c of template.capabilities) state.capabilities = upsertById(state.capabilities, structuredClone(c));
  await deps.brokerStore.save(state);
  return storedCredentialJson(credential);
}

export interface CredentialList {
  /** Stored ∪ registry-derived (a derived one replaces a stored one with the same id), sorted by id. */
  credentials: StoredCredential[];
  path: string;
  /** Skipped entries (bad `broker.json` entries, credentials that could not be derived). */
  problems: string[];
}

/**
 * `credential list`: may rebuild stale composites; skips stale Codex alternatives (no refresh).
 *
 * @see ../../../../../shared/spec/cli.md §5.2
 */
export async function listCredentials(deps: OperatorDeps): Promise<CredentialList> {
  const state = await deps.brokerStore.load();
  const derived = await deriveRegistryCredentials({
    vault: deps.vault,
    registry: deps.registry,
    clock: deps.clock,
    secrets: await deps.vault.listSecrets(),
    stored: state.credentials,
  });
  const byId = new Map<string, StoredCredential>(state.credentials.map((c) => [c.id, c]));
  for (const d of derived.credentials) {
    byId.set(d.id, {
      id: d.id,
      provider: d.provider,
      workspaceId: d.workspaceId,
      groupId: d.groupId,
      auth: d.auth,
      hosts: d.hosts,
      capabilities: d.capabilities,
      priority: d.priority,
      ...(d.upstreamPathPrefix === undefined ? {} : { upstreamPathPrefix: d.upstreamPathPrefix }),
      secretRef: d.secretRef,
    });
  }
  const credentials = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const problems = [...state.problems.map(formatBrokerStateProblem), ...derived.problems];
  return { credentials, path: deps.brokerStore.path, problems };
}

/**
 * `credential delete <ID>`: removes it from `broker.json` (saved only when something was removed).
 *
 * @see ../../../../../shared/spec/cli.md §5.3
 */
export async function deleteCredential(deps: OperatorDeps, rawId: string): Promise<{ removed: boolean; id: string }> {
  const id = rawId.trim();
  const state = await deps.brokerStore.load();
  const before = state.credentials.length;
  state.credentials = state.credentials.filter((c) => c.id !== id);
  const removed = state.credentials.length !== before;
  if (removed) await deps.brokerStore.save(state);
  return { removed, id };
}
