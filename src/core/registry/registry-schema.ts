/**
 * Superstruct schemas of the provider document (strict: unknown keys rejected, non-empty strings,
 * no empty host/method/prefix/capability lists).
 *
 * @see ../../../../shared/spec/registry.md §2
 */
import { array, integer, nonempty, object, optional, record, string, type Infer } from 'superstruct';
import { AuthStrategySchema } from './auth-strategy.js';

const text = nonempty(string());
const list = nonempty(array(text));

/** A capability object (registry documents and `broker.json`). */
export const CapabilitySchema = object({
  id: text,
  provider: text,
  allow: object({ hosts: list, methods: list, pathPrefixes: list }),
});

/** A credential alternative (registry.md §6). */
export const AlternativeSchema = object({
  id: text,
  auth: AuthStrategySchema,
  hosts: list,
  vaultSecrets: record(string(), text),
  capabilities: optional(array(text)),
  priority: optional(integer()),
  upstreamPathPrefix: optional(string()),
});

/** One `registry/<provider>.json` document. */
export const ProviderDocumentSchema = object({
  $schema: optional(string()),
  provider: text,
  vaultSecrets: optional(record(string(), text)),
  auth: AuthStrategySchema,
  hosts: list,
  capabilities: nonempty(array(CapabilitySchema)),
  credentialAlternatives: optional(array(AlternativeSchema)),
});

export type ProviderDocument = Infer<typeof ProviderDocumentSchema>;
