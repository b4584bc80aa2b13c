/**
 * Registry-derived credentials: for every provider and every scope holding all its claimed
 * secrets, one credential (primary) plus one per satisfied alternative. Reads metadata only,
 * except to build stale composites and (listing) to check Codex token freshness.
 *
 * @see ../../../../shared/spec/registry.md §7.2, §7.5, §9.2
 */
import { BrokerError } from '../broker-error.js';
import { wipe } from '../encoding.js';
import type { Clock } from '../ports.js';
import type { Scope, SecretMetadata, Vault } from '../vault/types.js';
import { validateCapability } from './capability.js';
import { CODEX_SECRET_NAME, isCodexFresh } from './codex-oauth.js';
import { secretReferenceFor } from './composite-secret.js';
import { validateCredentialHosts, normalizeUpstreamPathPrefix, normalizeCapabilityScope } from './credential.js';
import { validateAuthStrategy } from './auth-strategy.js';
import { matchesAnyHost } from './host-pattern.js';
import type { Registry } from './registry.js';
import { derivedCredentialId, scopeContext, scopeKey } from './scope-ids.js';
import { secretRefOf } from './secret-ref.js';
import type { AuthStrategy, ProviderTemplate, StoredCredential } from './types.js';

/** A credential derived from the registry and the vault's secrets. */
export interface DerivedCredential {
  id: string;
  provider: string;
  workspaceId: string | null;
  groupId: string | null;
  auth: AuthStrategy;
  hosts: string[];
  capabilities: string[];
  priority: number;
  upstreamPathPrefix?: string;
  secretRef: string;
  /** The scope of the secrets it was derived from. */
  scope: Scope;
  /** `alternative id` when derived from a credential alternative. */
  alternative?: string;
  /** The secret is the Codex token document (`CODEX_OAUTH_JSON`): freshness matters when it is loaded. */
  codexOAuth?: true;
}

export interface DeriveOptions {
  vault: Vault;
  registry: Registry;
  clock: Clock;
  /**
   * Every non-revoked secret the registry claims plus the composites built from them
   * ({@link secretsForDerivation}), or all of `vault.listSecrets()`; revoked ones are ignored here.
   */
  secrets: readonly SecretMetadata[];
  /** `broker.json` credentials, for per-tenant host merging. */
  stored: readonly StoredCredential[];
  /**
   * Codex alternatives: `omit` (listing) reads the token document and silently leaves the
   * alternatives out while it is stale; `defer` (invocation) derives them without reading it, and
   * the runtime refreshes the document when one of them is used (registry.md §7.5).
   * @default 'omit'
   */
  codex?: 'omit' | 'defer';
}

export interface DeriveResult {
  /** Sorted by id. */
  credentials: DerivedCredential[];
  /** One line per credential that could not be derived (never secret material). */
  problems: string[];
}

/** @see ../../../../shared/spec/registry.md §7.5 */
export async function deriveRegistryCredentials(options: DeriveOptions): Promise<DeriveResult> {
  const scopes = groupByScope(options.secrets);
  const credentials: DerivedCredential[] = [];
  const problems: string[] = [];
  for (const provider of options.registry.providers) {
    for (const group of scopes.values()) {
      for (const candidate of candidatesFor(provider)) {
        if (!Object.keys(candidate.claims).every((name) => group.byName.has(name))) continue;
        const id = derivedCredentialId(candidate.base, group.scope);
        try {
          const derived = await derive(options, provider, candidate, group, id);
          if (derived !== undefined) credentials.push(derived);
        } catch (error) {
          const message = error instanceof BrokerError ? error.message : 'internal error';
          problems.push(`registry credential '${id}' skipped: ${message}`);
        }
      }
    }
  }
  credentials.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { credentials, problems };
}

/** Non-revoked secrets grouped by exact scope, each with a by-name index (last one listed wins). */
export interface ScopeGroup {
  scope: Scope;
  secrets: SecretMetadata[];
  byName: Map<string, SecretMetadata>;
}

export function groupByScope(secrets: readonly SecretMetadata[]): Map<string, ScopeGroup> {
  const groups = new Map<string, ScopeGroup>();
  for (const secret of secrets) {
    if (secret.revokedAtMs !== null) continue;
    const key = scopeKey(secret.scope);
    let group = groups.get(key);
    if (group === undefined) {
      group = { scope: secret.scope, secrets: [], byName: new Map() };
      groups.set(key, group);
    }
    group.secrets.push(secret);
    group.byName.set(secret.name.trim(), secret);
  }
  return groups;
}

// --- internal ---

export interface Candidate {
  base: string;
  claims: Readonly<Record<string, string>>;
  auth: AuthStrategy;
  alternative?: ProviderTemplate['credentialAlternatives'][number];
}

/** The provider's primary claim set (when it claims anything) and each alternative's. */
export function candidatesFor(provider: ProviderTemplate): Candidate[] {
  const out: Candidate[] = [];
  if (Object.keys(provider.vaultSecrets).length > 0) out.push({ base: provider.provider, claims: provider.vaultSecrets, auth: provider.auth });
  for (const alt of provider.credentialAlternatives) {
    if (Object.keys(alt.vaultSecrets).length === 0) continue;
    out.push({ base: `${provider.provider}:${alt.id}`, claims: alt.vaultSecrets, auth: alt.auth, alternative: alt });
  }
  return out;
}

async function derive(
  options: DeriveOptions,
  provider: ProviderTemplate,
  candidate: Candidate,
  group: ScopeGroup,
  id: string,
): Promise<DerivedCredential | undefined> {
  const alt = candidate.alternative;
  const codex = alt !== undefined && Object.hasOwn(alt.vaultSecrets, CODEX_SECRET_NAME);
  // Deferred only when the credential's secret is the token document itself (a direct reference, §7.3).
  const codexOAuth = codex && options.codex === 'defer' && Object.keys(candidate.claims).length === 1 && candidate.auth !== 'basic';
  if (codex && !codexOAuth) {
    const document = group.byName.get(CODEX_SECRET_NAME)!;
    const bytes = await options.vault.resolve(secretRefOf(document.secretId), {
      skipScopeCheck: true,
      purpose: 'secret.codex_oauth.check',
      consumer: 'aivault-cli',
    });
    try {
      // Stale: listing simply omits the alternative (no refresh, no warning).
      if (!isCodexFresh(bytes, options.clock.now())) return undefined;
    } finally {
      wipe(bytes);
    }
  }
  // §9.2: auth, hosts, every capability of the provider, path prefix.
  validateAuthStrategy(candidate.auth);
  for (const capability of provider.capabilities) validateCapability(capability, 'registry');
  const hosts = validateCredentialHosts(alt?.hosts ?? primaryHosts(options, provider, id));
  const upstreamPathPrefix = normalizeUpstreamPathPrefix(alt?.upstreamPathPrefix);
  const secretRef = await secretReferenceFor({
    vault: options.vault,
    provider: provider.provider,
    claims: candidate.claims,
    auth: candidate.auth,
    secretsByName: group.byName,
    scopeSecrets: group.secrets,
  });
  return {
    id,
    provider: provider.provider,
    ...scopeContext(group.scope),
    auth: candidate.auth,
    hosts,
    capabilities: normalizeCapabilityScope(alt?.capabilities ?? []),
    priority: alt?.priority ?? 0,
    ...(upstreamPathPrefix === undefined ? {} : { upstreamPathPrefix }),
    secretRef,
    scope: group.scope,
    ...(alt === undefined ? {} : { alternative: alt.id }),
    ...(codexOAuth ? { codexOAuth: true as const } : {}),
  };
}

/** Per-tenant merge: stored hosts (all within the provider's patterns) first, then missing registry hosts. */
function primaryHosts(options: DeriveOptions, provider: ProviderTemplate, id: string): string[] {
  const stored = options.stored.find((c) => c.id === id && c.provider === provider.provider);
  const patterns = options.registry.hostPatterns(provider.provider);
  if (stored === undefined || stored.hosts.length === 0 || !stored.hosts.every((h) => matchesAnyHost(patterns, h))) {
    return [...provider.hosts];
  }
  const merged = [...stored.hosts];
  for (const host of provider.hosts) if (!merged.includes(host)) merged.push(host);
  return merged;
}
