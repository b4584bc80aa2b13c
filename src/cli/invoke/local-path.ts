/**
 * The heavy half of invocation, loaded only when the thin attempt cannot be used: the local
 * capability lookup (broker.json → registry) and the in-process transport (AIVAULTD_DISABLE).
 *
 * @see ../../../../shared/spec/cli.md §7.2 (capability shape lookup), §7.4 step 1
 */
import type { Transport } from '../../core/transport.js';
import type { Vault } from '../../core/vault/types.js';
import type { CliContext } from '../context.js';
import type { CapabilityShapeLike } from './build-envelope.js';
import { capabilityShape } from '../../core/registry/capability-shapes.js';
import { openVault, inprocTransport as inprocSeam, storedCapabilityShape } from '../wiring.js';

/** The vault of an operator command (`capability invoke|json|markdown`), loaded before anything else. */
export function openOperatorVault(ctx: CliContext): Promise<Vault> {
  return openVault(ctx, { preamble: true, needsKey: false });
}

/**
 * Local lookup: the vault is loaded (operator preamble; `loaded` when the caller already did),
 * then `broker.json`, then the registry.
 */
export async function localShape(ctx: CliContext, capability: string, loaded?: Vault): Promise<CapabilityShapeLike | undefined> {
  const vault = loaded ?? (await openOperatorVault(ctx));
  return (await storedCapabilityShape(ctx, vault, capability)) ?? capabilityShape(capability);
}

/** The broker in this process, over this process's vault. */
export async function inprocTransport(ctx: CliContext): Promise<Transport> {
  return inprocSeam(ctx);
}
