/**
 * The broker service the way `aivaultd` assembles it (vault over one root, the compiled-in
 * registry, `broker.json`, the rate limiter), over Node ports and a given upstream. Used by the
 * bench process (in-process scenarios) and by the bench daemon child.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import {
  builtinRegistry,
  createBrokerService,
  createBrokerStore,
  createRateLimiter,
  createVault,
  resolveVaultRoot,
  type BrokerService,
  type EnvMap,
  type FsPort,
  type UpstreamPort,
  type Vault,
  type VaultOptions,
} from '../src/core/index.js';
import { nodeAuditBatching, nodeFs } from '../src/transport-inproc/index.js';

const clock = { now: () => Date.now() };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A vault over the root `env` names (`AIVAULT_DIR`, `HOME`), as the CLI resolves it. */
export function openVault(env: EnvMap, extra: Partial<Pick<VaultOptions, 'fs' | 'disableAudit'>> = {}): Vault {
  const root = resolveVaultRoot({ env, home: env['HOME'] ?? null, tmpdir: tmpdir() });
  return createVault({
    fs: extra.fs ?? nodeFs,
    crypto: globalThis.crypto,
    clock,
    env,
    rootDir: root.rootDir,
    home: env['HOME'] ?? root.aivaultHome,
    aivaultHome: root.aivaultHome,
    canonical: root.canonical,
    pid: process.pid,
    sleep,
    auditBatching: nodeAuditBatching,
    ...(extra.disableAudit === undefined ? {} : { disableAudit: extra.disableAudit }),
  });
}

export async function assembleService(options: { env: EnvMap; upstream: UpstreamPort; fs?: FsPort }): Promise<{ service: BrokerService; vault: Vault }> {
  const fs = options.fs ?? nodeFs;
  const vault = openVault(options.env, { fs });
  await vault.load();
  const service = createBrokerService({
    vault,
    registry: builtinRegistry(),
    brokerStore: createBrokerStore({ fs, path: vault.paths.brokerPath, pid: process.pid, uuid: randomUUID, clock }),
    fs,
    crypto: globalThis.crypto,
    clock,
    timer: {
      after: (ms, fn) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    },
    upstream: options.upstream,
    rateLimiter: createRateLimiter({ fs, path: vault.paths.rateLimitsPath, clock, pid: process.pid, uuid: randomUUID }),
    cwd: process.cwd(),
  });
  return { service, vault };
}
