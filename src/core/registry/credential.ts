/**
 * Credential creation rules [B-CRED-1] shared by the operator API and registry derivation.
 *
 * @see ../../../../shared/spec/broker.md §2.2 [B-CRED-1], registry.md §6 and §9.2
 */
import { invalidRequest, policyViolation } from '../broker-error.js';
import { validateAuthStrategy } from './auth-strategy.js';
import { matchesAnyHost, normalizeHosts, validateHostPattern } from './host-pattern.js';
import type { Registry } from './registry.js';
import type { AuthStrategy } from './types.js';

/** Inputs of [B-CRED-1]; `auth`/`hosts` omitted means "take the registry provider's". */
export interface CredentialSpec {
  id: string;
  provider: string;
  auth?: AuthStrategy;
  hosts?: readonly string[];
  capabilities?: readonly string[];
  priority?: number;
  upstreamPathPrefix?: string;
}

/** A credential that passed [B-CRED-1]. */
export interface ValidatedCredential {
  id: string;
  provider: string;
  auth: AuthStrategy;
  hosts: string[];
  capabilities: string[];
  priority: number;
  upstreamPathPrefix?: string;
}

/**
 * Applies [B-CRED-1] steps 1 and 3-9 (the duplicate-id check of step 2 belongs to the store).
 *
 * @see ../../../../shared/spec/broker.md §2.2 [B-CRED-1]
 */
export function validateCredentialSpec(spec: CredentialSpec, registry: Registry): ValidatedCredential {
  const id = spec.id.trim();
  const provider = spec.provider.trim();
  if (id.length === 0 || provider.length === 0) throw invalidRequest('credential id/provider required');
  const template = registry.provider(provider);
  const auth = spec.auth ?? template?.auth;
  if (auth === undefined) throw invalidRequest('credential auth required when provider is not in registry');
  validateAuthStrategy(auth);
  const rawHosts = spec.hosts ?? template?.hosts;
  if (rawHosts === undefined) throw invalidRequest('credential hosts required when provider is not in registry');
  const hosts = validateCredentialHosts(rawHosts, template && spec.hosts !== undefined ? registry.hostPatterns(provider) : undefined);
  const upstreamPathPrefix = normalizeUpstreamPathPrefix(spec.upstreamPathPrefix);
  return {
    id,
    provider,
    auth,
    hosts,
    capabilities: normalizeCapabilityScope(spec.capabilities ?? []),
    priority: spec.priority ?? 0,
    ...(upstreamPathPrefix === undefined ? {} : { upstreamPathPrefix }),
  };
}

/**
 * Steps 5-7: normalise (trim, lower-case, drop blanks, de-duplicate), require one, check the
 * registry ceiling when `registryPatterns` is given, then strict validation (no wildcards).
 */
export function validateCredentialHosts(hosts: readonly string[], registryPatterns?: readonly string[]): string[] {
  const normalized = normalizeHosts(hosts);
  if (normalized.length === 0) throw policyViolation('credential hosts are required');
  if (registryPatterns !== undefined && normalized.some((h) => !matchesAnyHost(registryPatterns, h))) {
    throw policyViolation('credential host is not allowed by registry provider host policy');
  }
  return normalized.map((h) => validateHostPattern(h, 'strict'));
}

/** Step 8: entries trimmed, blank refused, duplicates removed. */
export function normalizeCapabilityScope(capabilities: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of capabilities) {
    const id = raw.trim();
    if (id.length === 0) throw invalidRequest('credential capability scope cannot be empty');
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * Step 9 / registry.md §6: trimmed, trailing `/` removed, blank → absent; must start with `/`
 * and contain no `?`/`#`.
 *
 * @example normalizeUpstreamPathPrefix(' /backend-api/codex/ ') // '/backend-api/codex'
 */
export function normalizeUpstreamPathPrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  const value = prefix.trim().replace(/\/+$/, '');
  if (value.length === 0) return undefined;
  if (!value.startsWith('/') || value.includes('?') || value.includes('#')) {
    throw policyViolation("upstreamPathPrefix must start with '/' and cannot include query or fragment");
  }
  return value;
}
