/**
 * Credential resolution [B-CREDRES] with Decisions 7 and 18: an explicit id first (it must exist,
 * load, match the provider and support the capability); otherwise the loadable credentials of the
 * capability's provider that support it, ranked by `priority`, then scope (group > workspace >
 * global). Only a true tie is `credential_ambiguous`.
 *
 * @see ../../../shared/spec/broker.md §4.3, §4.5
 */
import { BrokerError, policyViolation } from '../broker-error.js';
import type { Capability } from '../registry/types.js';
import type { RuntimeCredential } from './types.js';

/** "Supports": an empty list means every capability of the provider. */
export function supports(credential: RuntimeCredential, capability: Capability): boolean {
  return credential.capabilities.length === 0 || credential.capabilities.includes(capability.id);
}

/**
 * @example selectCredential(state.credentials(), cap, envelope.credential ?? null)
 */
export function selectCredential(
  credentials: readonly RuntimeCredential[],
  capability: Capability,
  requested: string | null,
): RuntimeCredential {
  const explicit = requested?.trim() ?? '';
  if (explicit !== '') {
    const found = credentials.find((c) => c.id === explicit);
    if (found === undefined) throw new BrokerError({ code: 'credential_not_found', message: 'credential not found' });
    if (found.loadError !== undefined) throw asBrokerError(found.loadError);
    if (found.provider !== capability.provider) throw policyViolation('credential provider does not match capability provider');
    if (!supports(found, capability)) throw policyViolation('credential is not scoped to this capability');
    return found;
  }
  const candidates = credentials.filter((c) => c.loadError === undefined && c.provider === capability.provider && supports(c, capability));
  if (candidates.length === 0) throw new BrokerError({ code: 'credential_not_found', message: 'no credential for capability provider' });
  let best: RuntimeCredential[] = [];
  for (const c of candidates) {
    const top = best[0];
    const cmp = top === undefined ? 1 : compare(c, top);
    if (cmp > 0) best = [c];
    else if (cmp === 0) best.push(c);
  }
  if (best.length !== 1) {
    throw new BrokerError({ code: 'credential_ambiguous', message: 'multiple credentials available; pass credential id' });
  }
  return best[0]!;
}

// --- internal ---

function compare(a: RuntimeCredential, b: RuntimeCredential): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? 1 : -1;
  if (a.scopeRank !== b.scopeRank) return a.scopeRank > b.scopeRank ? 1 : -1;
  return 0;
}

/** A load failure keeps its code when it has one; otherwise it is a vault error with its message. */
function asBrokerError(error: Error): BrokerError {
  if (error instanceof BrokerError) return error;
  return new BrokerError({ code: 'vault_error', message: error.message, cause: error });
}
