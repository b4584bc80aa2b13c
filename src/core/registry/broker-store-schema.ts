/**
 * Superstruct schemas of `broker.json`: the file frame is validated as a whole, each entry on its
 * own so that one bad entry can be skipped without disabling the rest.
 *
 * @see ../../../../shared/spec/vault.md §10
 */
import { array, enums, integer, literal, min, nonempty, nullable, object, optional, string, unknown } from 'superstruct';
import { AuthStrategySchema } from './auth-strategy.js';

const text = nonempty(string());

/** The file frame; entries are checked one by one afterwards. */
export const BrokerFileSchema = object({
  version: literal(1),
  credentials: optional(array(unknown())),
  capabilities: optional(array(unknown())),
  policies: optional(array(unknown())),
});

export const StoredCredentialSchema = object({
  id: text,
  provider: text,
  workspaceId: optional(nullable(string())),
  groupId: optional(nullable(string())),
  auth: AuthStrategySchema,
  hosts: array(string()),
  // Optional keys the original omits when unset; a `null` reads as absent (vault.md §10).
  capabilities: optional(nullable(array(string()))),
  priority: optional(nullable(integer())),
  upstreamPathPrefix: optional(nullable(string())),
  secretRef: text,
  maxPolicyMode: optional(nullable(enums(['read-only', 'write', 'admin']))),
});

export const StoredCapabilitySchema = object({
  id: text,
  provider: text,
  allow: object({ hosts: array(string()), methods: array(string()), pathPrefixes: array(string()) }),
});

const count = optional(nullable(min(integer(), 0)));

export const StoredPolicySchema = object({
  capabilityId: text,
  policy: object({
    rateLimitPerMinute: count,
    maxRequestBodyBytes: count,
    maxResponseBodyBytes: count,
    responseBodyBlocklist: optional(array(string())),
  }),
});
