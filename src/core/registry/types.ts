/**
 * Registry and policy shapes as stored on disk (registry JSON and `broker.json`).
 * The auth strategy keeps the original's externally tagged snake_case encoding.
 *
 * @see ../../../shared/spec/registry.md §2-§3, broker.md §2
 */

export interface HeaderTemplate {
  header_name: string;
  value_template: string;
}

export interface QueryTemplate {
  param_name: string;
  value_template: string;
}

export type AuthStrategy =
  | { header: HeaderTemplate }
  | { query: { param_name: string } }
  | { path: { prefix_template: string } }
  | { multi_header: HeaderTemplate[] }
  | { multi_query: QueryTemplate[] }
  | 'basic'
  | { o_auth2: { grant_type: string; token_endpoint: string; scopes?: string[] } }
  | { aws_sig_v4: { service: string; region: string } }
  | { hmac: { algorithm: string; header_name: string; value_template: string; encoding?: 'hex' | 'base64' } }
  | 'mtls';

/** The strategy's kind, as used by dispatch tables (`satisfies Record<AuthKind, …>`). */
export type AuthKind =
  | 'header'
  | 'query'
  | 'path'
  | 'multi_header'
  | 'multi_query'
  | 'basic'
  | 'o_auth2'
  | 'aws_sig_v4'
  | 'hmac'
  | 'mtls';

export interface CapabilityAllow {
  hosts: string[];
  methods: string[];
  pathPrefixes: string[];
}

export interface Capability {
  id: string;
  provider: string;
  allow: CapabilityAllow;
}

export interface CredentialAlternative {
  id: string;
  auth: AuthStrategy;
  hosts: string[];
  vaultSecrets: Record<string, string>;
  capabilities: string[];
  priority: number;
  upstreamPathPrefix?: string;
}

export interface ProviderTemplate {
  provider: string;
  vaultSecrets: Record<string, string>;
  auth: AuthStrategy;
  hosts: string[];
  capabilities: Capability[];
  credentialAlternatives: CredentialAlternative[];
}

export interface CapabilityPolicy {
  rateLimitPerMinute: number | null;
  maxRequestBodyBytes: number | null;
  maxResponseBodyBytes: number | null;
  responseBodyBlocklist: string[];
}

export type MaxPolicyMode = 'read-only' | 'write' | 'admin';

/** A credential as stored in `broker.json` (key order of vault.md §10 when serialised). */
export interface StoredCredential {
  id: string;
  provider: string;
  workspaceId: string | null;
  groupId: string | null;
  auth: AuthStrategy;
  hosts: string[];
  capabilities?: string[];
  priority?: number;
  upstreamPathPrefix?: string;
  secretRef: string;
  maxPolicyMode?: MaxPolicyMode;
}

export interface BrokerStateFile {
  version: 1;
  credentials: StoredCredential[];
  capabilities: Capability[];
  policies: Array<{ capabilityId: string; policy: CapabilityPolicy }>;
}

/** Binding scope as stored in `capabilities.json` (internally tagged, vault.md §9). */
export type BindingScope =
  | { type: 'global' }
  | { type: 'workspace'; workspace_id: string }
  | { type: 'group'; workspace_id: string; group_id: string };

/** One capability binding (`capabilities.json`, vault.md §9). `consumer` omitted when absent. */
export interface CapabilityBinding {
  capability: string;
  secretRef: string;
  scope: BindingScope;
  consumer?: string;
  updatedAtMs: number;
}

export interface BindingsFile {
  version: 1;
  bindings: CapabilityBinding[];
}
