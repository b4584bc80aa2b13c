/**
 * The vault of this process's environment, on the Node ports. Its own module so that operator
 * commands open the vault without loading the upstream client.
 *
 * @see ../../shared/spec/vault.md §2.1
 */
import { AUDIT_BATCH_MS, createVault, resolveVaultRoot, type AuditBatching, type EnvMap, type Vault } from '../core/index.js';
import type { NodePorts } from './node-ports.js';

/** The vault of this process's environment (vault.md §2.1: `AIVAULT_DIR`, else `~/.aivault/data/vault`). */
export function createNodeVault(env: EnvMap, ports: Pick<NodePorts, 'fs' | 'crypto' | 'clock' | 'pid' | 'uuid' | 'home' | 'tmpdir'>): Vault {
  const root = resolveVaultRoot({ env, home: ports.home, tmpdir: ports.tmpdir });
  return createVault({
    fs: ports.fs,
    crypto: ports.crypto,
    clock: ports.clock,
    env,
    rootDir: root.rootDir,
    home: ports.home ?? root.aivaultHome,
    aivaultHome: root.aivaultHome,
    canonical: root.canonical,
    pid: ports.pid,
    uuid: ports.uuid,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    auditBatching: nodeAuditBatching,
  });
}

/**
 * One audit append per 10 ms window instead of one or two per call. A ref'd timer on purpose:
 * queued lines keep the process alive until they are written (the CLI and the daemon also flush
 * before exit, which writes at once).
 */
export const nodeAuditBatching: AuditBatching = {
  ms: AUDIT_BATCH_MS,
  after(ms, fn) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};
