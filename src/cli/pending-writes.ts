/**
 * Vaults this process opened, so their queued writes (audit lines, advisory `lastUsedAtMs`) reach
 * the disk before it exits: a call does not wait for its audit lines, `runAivault` and the
 * daemon's shutdown wait for them here.
 *
 * @see ../../docs/decisions.md "Vault" (audit appends)
 */
import type { Vault } from '../core/vault/types.js';

const open = new Set<Vault>();

/** Remembers `vault` until the next {@link flushOpenVaults}. Returns it. */
export function trackVault(vault: Vault): Vault {
  open.add(vault);
  return vault;
}

/** Waits for every tracked vault's queued writes (never throws) and closes its watchers. */
export async function flushOpenVaults(): Promise<void> {
  const vaults = [...open];
  open.clear();
  await Promise.all(vaults.map((v) => v.flush().catch(() => undefined)));
  for (const v of vaults) v.close?.();
}
