/**
 * The provider registry: validated once, deep-frozen, immutable lookups.
 *
 * @see ../../../../shared/spec/registry.md §1, §2, §9.1
 */
import { StructError, validate } from 'superstruct';
import { invalidRequest } from '../broker-error.js';
import { BUILTIN_REGISTRY_FILES } from './data/index.js';
import { ProviderDocumentSchema, type ProviderDocument } from './registry-schema.js';
import type { Capability, CredentialAlternative, ProviderTemplate } from './types.js';

/** Read-only view of a provider registry. Everything it returns is frozen. */
export interface Registry {
  /** Providers sorted by id. */
  readonly providers: readonly ProviderTemplate[];
  /** Every capability of every provider, sorted by id. */
  readonly capabilities: readonly Capability[];
  /** Provider by id (trimmed); `undefined` when unknown. */
  provider(id: string): ProviderTemplate | undefined;
  /** Capability by id (trimmed; blank finds nothing). */
  capability(id: string): Capability | undefined;
  /** The provider claiming a secret name (exact, case-sensitive on the trimmed name; registry.md §7.1). */
  claimOwner(secretName: string): string | undefined;
  /** The provider's host patterns: its `hosts` plus every alternative's `hosts` (registry.md §4). */
  hostPatterns(providerId: string): readonly string[];
}

/** One input document with the file name used in error messages. */
export interface RegistrySource {
  file: string;
  document: unknown;
}

/**
 * Builds a registry from provider documents, applying the load rules of §9.1:
 * shape, unique providers, non-blank claims, each claim owned by one provider.
 *
 * @see ../../../../shared/spec/registry.md §9.1
 */
export function createRegistry(sources: readonly RegistrySource[]): Registry {
  const templates = sources.map(({ file, document }) => toTemplate(parseDocument(file, document)));
  return buildRegistry(templates);
}

/**
 * The library entry point taking a registry as JSON text: `{"providers":[…]}` or a bare array.
 * Failures are `invalid_request` "invalid registry JSON: …".
 *
 * @see ../../../../shared/spec/registry.md §9.1, broker.md §2.3
 */
export function parseRegistryJson(text: string): Registry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`invalid registry JSON: ${error instanceof Error ? error.message : 'parse error'}`);
  }
  const list = Array.isArray(parsed) ? parsed : isProvidersWrapper(parsed) ? parsed.providers : undefined;
  if (list === undefined) throw invalidRequest('invalid registry JSON: expected {"providers": [...]} or an array of providers');
  const templates = list.map((document, index) => {
    const [error, value] = validate(document, ProviderDocumentSchema);
    if (error) throw invalidRequest(`invalid registry JSON: providers[${index}]: ${describeStructError(error)}`);
    return toTemplate(value);
  });
  return buildRegistry(templates);
}

let builtin: Registry | undefined;

/**
 * The compiled-in registry (44 providers, 283 capabilities), built on first use. Nothing at run
 * time can change it (registry.md §1). Its documents are part of the code, not input: the schema
 * check runs in test/core/registry/registry-data.test.ts instead of in every daemon start, where
 * superstruct's walk over them cost ~6 MB of heap; the load rules of §9.1 still run here.
 */
export function builtinRegistry(): Registry {
  builtin ??= buildRegistry(BUILTIN_REGISTRY_FILES.map(({ document }) => toTemplate(document as ProviderDocument)));
  return builtin;
}

/** `path: message` of the first failure, without the offending value (it could be anything). */
export function describeStructError(error: StructError): string {
  const failure = error.failures()[0] ?? error;
  const path = failure.path.length > 0 ? failure.path.join('.') : '(root)';
  return `${path}: ${failure.refinement ?? failure.type} expected`;
}

// --- internal ---

function isProvidersWrapper(value: unknown): value is { providers: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { providers?: unknown }).providers);
}

function parseDocument(file: string, document: unknown): ProviderDocument {
  const [error, value] = validate(document, ProviderDocumentSchema);
  if (error) throw invalidRequest(`invalid built-in registry provider '${file}': ${describeStructError(error)}`);
  return value;
}

function toTemplate(doc: ProviderDocument): ProviderTemplate {
  const alternatives: CredentialAlternative[] = (doc.credentialAlternatives ?? []).map((alt) => ({
    id: alt.id,
    auth: alt.auth,
    hosts: [...alt.hosts],
    vaultSecrets: { ...alt.vaultSecrets },
    capabilities: [...(alt.capabilities ?? [])],
    priority: alt.priority ?? 0,
    ...(alt.upstreamPathPrefix === undefined ? {} : { upstreamPathPrefix: alt.upstreamPathPrefix }),
  }));
  return {
    provider: doc.provider,
    vaultSecrets: { ...(doc.vaultSecrets ?? {}) },
    auth: doc.auth,
    hosts: [...doc.hosts],
    capabilities: doc.capabilities.map((c) => ({ id: c.id, provider: c.provider, allow: { ...c.allow } })),
    credentialAlternatives: alternatives,
  };
}

function buildRegistry(input: ProviderTemplate[]): Registry {
  const byProvider = new Map<string, ProviderTemplate>();
  const claims = new Map<string, string>();
  const byCapability = new Map<string, Capability>();
  for (const template of input) {
    if (byProvider.has(template.provider)) throw invalidRequest('duplicate provider in registry');
    const names = [
      ...Object.keys(template.vaultSecrets),
      ...template.credentialAlternatives.flatMap((alt) => Object.keys(alt.vaultSecrets)),
    ];
    for (const raw of names) {
      const name = raw.trim();
      if (name.length === 0) throw invalidRequest('registry vaultSecrets keys must be non-empty');
      const owner = claims.get(name);
      if (owner !== undefined && owner !== template.provider) {
        throw invalidRequest(`duplicate vault secret name '${name}' claimed by providers '${owner}' and '${template.provider}'`);
      }
      claims.set(name, template.provider);
    }
    const frozen = deepFreeze(structuredClone(template));
    byProvider.set(template.provider, frozen);
    for (const capability of frozen.capabilities) if (!byCapability.has(capability.id)) byCapability.set(capability.id, capability);
  }
  const providers = Object.freeze([...byProvider.values()].sort((a, b) => compare(a.provider, b.provider)));
  const capabilities = Object.freeze([...byCapability.values()].sort((a, b) => compare(a.id, b.id)));
  const patterns = new Map<string, readonly string[]>();
  for (const p of providers) {
    patterns.set(p.provider, Object.freeze([...p.hosts, ...p.credentialAlternatives.flatMap((alt) => alt.hosts)]));
  }
  return {
    providers,
    capabilities,
    provider: (id) => byProvider.get(id.trim()),
    capability: (id) => (id.trim().length === 0 ? undefined : byCapability.get(id.trim())),
    claimOwner: (name) => claims.get(name.trim()),
    hostPatterns: (id) => patterns.get(id.trim()) ?? [],
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
