/**
 * The per-invocation view the broker plans against: registry-derived credentials first, then
 * canonicalised `broker.json` credentials (registry wins over tampering), capabilities and
 * policies. Only metadata is read here; `loadSecret` decrypts the one chosen credential's secret
 * (refreshing a stale Codex token document first when a refresher is given).
 *
 * @see ../../../../shared/spec/vault.md §10.1, broker.md §4.5, registry.md §7.5
 */
import { BrokerError, vaultError } from '../broker-error.js';
import type { RuntimeCredential, RuntimeState } from '../broker/types.js';
import type { Clock } from '../ports.js';
import { validateAuthStrategy } from '../registry/auth-strategy.js';
import { formatBrokerStateProblem, type BrokerStore, type LoadedBrokerState } from '../registry/broker-store.js';
import { validateCapability } from '../registry/capability.js';
import { normalizeCapabilityScope, normalizeUpstreamPathPrefix, validateCredentialHosts } from '../registry/credential.js';
import { secretsForDerivation } from '../registry/claimed-secrets.js';
import { CODEX_SECRET_NAME } from '../registry/codex-oauth.js';
import { deriveRegistryCredentials, type DeriveResult } from '../registry/derive.js';
import { matchesAnyHost } from '../registry/host-pattern.js';
import type { Registry } from '../registry/registry.js';
import { parseSecretRef } from '../registry/secret-ref.js';
import type { Capability, CapabilityPolicy, StoredCredential } from '../registry/types.js';
import type { SecretMetadata, Vault } from '../vault/types.js';
import { groupNote, scopeString } from '../vault/scope.js';
import type { CodexRefresher } from './codex-refresher.js';
import { isEligible, normalizeContext, scopeRankOf, secretAccessible, type ExecutionContext } from './eligibility.js';

export interface CreateRuntimeStateOptions {
  vault: Vault;
  registry: Registry;
  brokerStore: BrokerStore;
  clock: Clock;
  /** The call's context (trimmed; blank = absent). */
  context: { workspaceId?: string | null; groupId?: string | null };
  /** The explicitly requested credential: its load failure is kept as `loadError` instead of skipped. */
  requestedCredential?: string | null;
  /**
   * Invocations pass the service's refresher: Codex alternatives are then derived whatever the
   * token document's freshness and refreshed when used. Absent (listing commands): stale Codex
   * alternatives are omitted, with no network access.
   * @default undefined
   * @see ../../../../shared/spec/registry.md §7.5
   */
  refreshCodex?: CodexRefresher;
  /**
   * A long-lived service's memo ({@link createRuntimeStateCache}): the registry derivation is
   * reused while the claimed secrets' metadata and the shared `broker.json` object are unchanged,
   * the custom capabilities and policies while that object is. Absent: everything per call.
   * @default undefined
   */
  cache?: RuntimeStateCache;
}

/**
 * What {@link createRuntimeState} may reuse across calls. Only metadata-derived values, never
 * secret material; entries are replaced (never patched) when their key changes.
 */
export interface RuntimeStateCache {
  derived?: { registry: Registry; state: object; secretsKey: string; codex: 'omit' | 'defer'; result: DeriveResult };
  custom?: { registry: Registry; state: object; result: CustomEntries };
}

/** An empty memo for one service. */
export function createRuntimeStateCache(): RuntimeStateCache {
  return {};
}

interface CustomEntries {
  capabilities: Map<string, Capability>;
  policies: Map<string, CapabilityPolicy>;
  problems: string[];
}

/** A {@link RuntimeState} plus what was skipped while loading (one line each, no secrets). */
export interface LoadedRuntimeState extends RuntimeState {
  readonly problems: readonly string[];
}

const CONSUMER = 'aivault-cli';

/** @see ../../../../shared/spec/vault.md §10.1 */
export async function createRuntimeState(options: CreateRuntimeStateOptions): Promise<LoadedRuntimeState> {
  const { vault, registry } = options;
  const ctx = normalizeContext(options.context);
  const requested = options.requestedCredential?.trim() || undefined;
  // By name, not by listing: the cost follows what the registry claims, not the vault's size.
  const [secrets, state] = await Promise.all([secretsForDerivation(vault, registry), options.brokerStore.loadShared()]);
  const problems = state.problems.map(formatBrokerStateProblem);

  const refreshCodex = options.refreshCodex;
  const derived = await derivedFor(options, secrets, state, refreshCodex === undefined ? 'omit' : 'defer');
  problems.push(...derived.problems);
  const credentials: RuntimeCredential[] = [];
  /** Registry-derived credentials of global secrets skip the scope check (vault.md §8.3). */
  const skipScope = new Set<string>();
  /** Credentials whose secret is a Codex token document to check (and refresh) when loaded. */
  const codexIds = new Set<string>();
  for (const d of derived.credentials) {
    if (!isEligible(d, ctx)) continue;
    credentials.push({
      id: d.id,
      provider: d.provider,
      auth: d.auth,
      hosts: d.hosts,
      capabilities: d.capabilities,
      priority: d.priority,
      ...(d.upstreamPathPrefix === undefined ? {} : { upstreamPathPrefix: d.upstreamPathPrefix }),
      workspaceId: d.workspaceId,
      groupId: d.groupId,
      secretRef: d.secretRef,
      source: 'registry',
      scopeRank: scopeRankOf(d),
    });
    if (d.scope.kind === 'global') skipScope.add(d.id);
    if (d.codexOAuth === true) codexIds.add(d.id);
  }

  const derivedIds = new Set(derived.credentials.map((d) => d.id));
  const candidates = state.credentials.filter((stored) => !derivedIds.has(stored.id) && isEligible(normalizeContext(stored), ctx));
  const byId = await referencedSecrets(vault, candidates);
  for (const stored of candidates) {
    try {
      credentials.push(canonicalise(stored, registry, byId, ctx));
    } catch (error) {
      const loadError = BrokerError.from(error);
      if (stored.id === requested) {
        credentials.push(failedCredential(stored, loadError));
        if (loadError.code === 'secret_not_accessible') await auditDenied(vault, byId, stored, ctx);
      } else {
        problems.push(`credential '${stored.id}' skipped: ${loadError.message}`);
      }
    }
  }

  const custom = customFor(options, state);
  problems.push(...custom.problems);
  const { capabilities, policies } = custom;
  const findCapability = (id: string): Capability | undefined => capabilities.get(id.trim()) ?? registry.capability(id);

  const own = (credential: RuntimeCredential): RuntimeCredential => {
    const mine = credentials.find((c) => c.id === credential.id);
    if (mine === undefined) throw new BrokerError({ code: 'credential_not_found', message: 'credential not found' });
    if (mine.loadError !== undefined) throw mine.loadError;
    return mine;
  };
  return {
    problems,
    findCapability,
    policyFor: (id) => policies.get(id.trim()),
    credentials: () => credentials.map((c) => ({ ...c })),
    async loadSecret(credential, purpose) {
      const mine = own(credential);
      const resolve = {
        workspaceId: ctx.workspaceId,
        groupId: ctx.groupId,
        ...(skipScope.has(mine.id) ? { skipScopeCheck: true } : {}),
        purpose: purpose || 'broker.credential.load',
        consumer: CONSUMER,
      };
      if (refreshCodex !== undefined && codexIds.has(mine.id)) return refreshCodex.load({ vault, secretRef: mine.secretRef, resolve });
      return vault.resolve(mine.secretRef, resolve);
    },
    async writeSecret(credential, value) {
      const mine = own(credential);
      await vault.rotateSecret(parseSecretRef(mine.secretRef), value);
    },
  };
}

// --- internal ---

/**
 * The registry derivation, memoised on the registry, the shared `broker.json` object and the
 * claimed secrets' metadata (by value: `secretsNamed` returns copies). Not memoised when a Codex
 * token document is among the secrets: deriving may then read it and depend on the clock.
 */
async function derivedFor(
  options: CreateRuntimeStateOptions,
  secrets: readonly SecretMetadata[],
  state: Readonly<LoadedBrokerState>,
  codex: 'omit' | 'defer',
): Promise<DeriveResult> {
  const { vault, registry, cache } = options;
  const run = () => deriveRegistryCredentials({ vault, registry, clock: options.clock, secrets, stored: state.credentials, codex });
  if (cache === undefined || secrets.some((s) => s.name === CODEX_SECRET_NAME)) return run();
  const secretsKey = JSON.stringify(secrets);
  const hit = cache.derived;
  if (hit !== undefined && hit.registry === registry && hit.state === state && hit.codex === codex && hit.secretsKey === secretsKey) return hit.result;
  const result = await run();
  cache.derived = { registry, state, secretsKey, codex, result };
  return result;
}

/** Custom capabilities and policies of `broker.json` (registry ids win), memoised on the shared state object. */
function customFor(options: CreateRuntimeStateOptions, state: Readonly<LoadedBrokerState>): CustomEntries {
  const { registry, cache } = options;
  const hit = cache?.custom;
  if (hit !== undefined && hit.registry === registry && hit.state === state) return hit.result;
  const problems: string[] = [];
  const capabilities = new Map<string, Capability>();
  for (const stored of state.capabilities) {
    if (registry.capability(stored.id) !== undefined) continue;
    try {
      capabilities.set(stored.id.trim(), validateCapability(stored, 'custom'));
    } catch (error) {
      problems.push(`capability '${stored.id}' skipped: ${BrokerError.from(error).message}`);
    }
  }
  const findCapability = (id: string): Capability | undefined => capabilities.get(id.trim()) ?? registry.capability(id);
  const policies = new Map<string, CapabilityPolicy>();
  for (const { capabilityId, policy } of state.policies) {
    if (findCapability(capabilityId) === undefined) problems.push(`policy for '${capabilityId}' skipped: capability not found`);
    else policies.set(capabilityId.trim(), policy);
  }
  const result = { capabilities, policies, problems };
  if (cache !== undefined) cache.custom = { registry, state, result };
  return result;
}

/** Metadata of the records the stored credentials reference, read concurrently; unreadable ones are absent ("secret not found"). */
async function referencedSecrets(vault: Vault, stored: readonly StoredCredential[]): Promise<Map<string, SecretMetadata>> {
  const ids = new Set<string>();
  for (const c of stored) {
    try {
      ids.add(parseSecretRef(c.secretRef));
    } catch {
      // canonicalise reports the malformed reference for this credential.
    }
  }
  const found = await Promise.all([...ids].map(async (id) => [id, await vault.getSecret(id).catch(() => undefined)] as const));
  const byId = new Map<string, SecretMetadata>();
  for (const [id, meta] of found) if (meta !== undefined && meta.secretId === id) byId.set(id, meta);
  return byId;
}

/** vault.md §10.1 step 2, on metadata only. */
function canonicalise(stored: StoredCredential, registry: Registry, secrets: Map<string, SecretMetadata>, ctx: ExecutionContext): RuntimeCredential {
  const meta = secrets.get(parseSecretRef(stored.secretRef));
  if (meta === undefined) throw vaultError('secret not found');
  if (meta.revokedAtMs !== null) throw vaultError('secret revoked');
  const pin = meta.pinnedProvider;
  if (pin !== undefined) {
    if (pin !== stored.provider) {
      throw vaultError(`credential '${stored.id}' provider '${stored.provider}' cannot use secret pinned to provider '${pin}'`);
    }
    if (registry.provider(pin) === undefined) throw vaultError(`secret pinnedProvider '${pin}' requires registry provider template (missing)`);
    if (!stored.hosts.every((h) => matchesAnyHost(registry.hostPatterns(pin), h))) {
      throw vaultError(`credential '${stored.id}' hosts are not allowed by registry host policy for provider '${pin}'`);
    }
  }
  if (!secretAccessible(meta, ctx)) throw new BrokerError({ code: 'secret_not_accessible', message: 'secret not accessible' });
  const template = registry.provider(stored.provider);
  let auth = stored.auth;
  let hosts: string[];
  if (template !== undefined) {
    auth = template.auth;
    const patterns = registry.hostPatterns(template.provider);
    const keep = stored.hosts.length > 0 && stored.hosts.every((h) => matchesAnyHost(patterns, h));
    hosts = validateCredentialHosts(keep ? stored.hosts : template.hosts);
  } else {
    validateAuthStrategy(auth);
    hosts = validateCredentialHosts(stored.hosts);
  }
  const context = normalizeContext(stored);
  const upstreamPathPrefix = normalizeUpstreamPathPrefix(stored.upstreamPathPrefix);
  return {
    id: stored.id,
    provider: stored.provider,
    auth,
    hosts,
    capabilities: normalizeCapabilityScope(stored.capabilities ?? []),
    priority: stored.priority ?? 0,
    ...(upstreamPathPrefix === undefined ? {} : { upstreamPathPrefix }),
    ...context,
    secretRef: stored.secretRef.trim(),
    source: 'stored',
    scopeRank: scopeRankOf(context),
  };
}

/**
 * The requested credential's secret is out of the call's scope: the read it would have made is
 * audited as the vault audits a denied read (`secret.access.denied`, group note in a group
 * context; broker.md §4.5, vault.md §8.2). Skipped candidates are not audited: they were never
 * asked for (Decision 7). Best effort, like every audit line.
 */
async function auditDenied(vault: Vault, secrets: Map<string, SecretMetadata>, stored: StoredCredential, ctx: ExecutionContext): Promise<void> {
  const meta = secrets.get(parseSecretRef(stored.secretRef));
  if (meta === undefined) return;
  const note = ctx.workspaceId !== null && ctx.groupId !== null ? { note: groupNote(ctx.workspaceId, ctx.groupId) } : {};
  await vault
    .appendAudit({ kind: 'secret.access.denied', secretId: meta.secretId, scope: scopeString(meta.scope), actor: 'operator', ...note })
    .catch(() => undefined);
}

function failedCredential(stored: StoredCredential, loadError: BrokerError): RuntimeCredential {
  const context = normalizeContext(stored);
  return {
    id: stored.id,
    provider: stored.provider,
    auth: stored.auth,
    hosts: [...stored.hosts],
    capabilities: [...(stored.capabilities ?? [])],
    priority: stored.priority ?? 0,
    ...context,
    secretRef: stored.secretRef,
    source: 'stored',
    scopeRank: scopeRankOf(context),
    loadError,
  };
}
