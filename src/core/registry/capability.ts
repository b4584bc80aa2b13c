/**
 * Capability validation [B-CAP-1]: registry capabilities in relaxed mode (several hosts,
 * leading wildcards), user-defined ones in strict mode (exactly one exact host).
 *
 * @see ../../../../shared/spec/broker.md §2.1 [B-CAP-1], registry.md §5, Decisions 2 and 18
 */
import { invalidRequest, policyViolation } from '../broker-error.js';
import { validateHostPattern } from './host-pattern.js';
import type { Capability } from './types.js';

/** `registry`: built-in definitions (relaxed hosts). `custom`: user-defined (strict, one host). */
export type CapabilityOrigin = 'registry' | 'custom';

export const BLANK_POLICY_ENTRY = "capability methods and pathPrefixes must be non-blank and start with '/'";

/**
 * Validates a capability and returns a normalised copy (id/provider trimmed, hosts lower-cased).
 * Methods and prefixes are kept as given once they pass the checks.
 *
 * @example validateCapability({ id: 'my/x', provider: 'my', allow: { hosts: ['api.example.com'], methods: ['GET'], pathPrefixes: ['/v1'] } }, 'custom')
 */
export function validateCapability(capability: Capability, origin: CapabilityOrigin): Capability {
  const id = capability.id.trim();
  const provider = capability.provider.trim();
  if (id.length === 0 || provider.length === 0) throw invalidRequest('capability id/provider required');
  const { hosts, methods, pathPrefixes } = capability.allow;
  if (hosts.length === 0 || methods.length === 0 || pathPrefixes.length === 0) {
    throw policyViolation('hosts, methods, and pathPrefixes are required');
  }
  if (methods.some((m) => m.trim().length === 0)) throw policyViolation(BLANK_POLICY_ENTRY);
  if (pathPrefixes.some((p) => p.trim().length === 0 || !p.startsWith('/'))) throw policyViolation(BLANK_POLICY_ENTRY);
  if (origin === 'custom' && hosts.length !== 1) throw policyViolation('core conformance requires allow.hosts length = 1');
  const mode = origin === 'custom' ? 'strict' : 'relaxed';
  return {
    id,
    provider,
    allow: { hosts: hosts.map((h) => validateHostPattern(h, mode)), methods: [...methods], pathPrefixes: [...pathPrefixes] },
  };
}
