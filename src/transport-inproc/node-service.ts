/**
 * The broker service over this machine's vault, assembled from the Node ports: what `aivaultd`
 * serves, what `AIVAULTD_DISABLE=1` runs in-process, and what a library embeds with
 * `createInprocTransport`. Environment variables are read here, at the edge, never in core.
 *
 * @see ../../shared/spec/daemon.md §5.6, vault.md §2.1, security.md §9
 */
import {
  builtinRegistry,
  createBrokerServices,
  createBrokerStore,
  createRateLimiter,
  type BrokerService,
  type EnvMap,
  type ProxyService,
  type Vault,
} from '../core/index.js';
import { nodeTimer } from './node-timer.js';
import { DEV_GATE } from '../build-flags.js';
import { resolveBrokerDevOptions } from './dev-overrides.js';
import { createNodePorts, type NodePorts } from './node-ports.js';
import { createNodeVault } from './node-vault.js';

export interface NodeBrokerServiceOptions {
  /** The environment to read `AIVAULT_DIR`, `AIVAULT_KEY`, disk-log and dev variables from. */
  env: EnvMap;
  /** Where relative body file paths resolve. @default process.cwd() */
  cwd?: string;
  /** `aivaultd --unlock-ttl`, in ms. @default undefined (no idle lock) */
  unlockTtlMs?: number;
  /** Dev-override gate. @default the build's gate (closed in `npm run build`) */
  devGate?: boolean;
  /** Ports to reuse (tests inject an upstream `lookup`). @default createNodePorts({ env, devGate }) */
  ports?: NodePorts;
  /** The proxy service accepts non-loopback clients (`aivaultd --http … --allow-remote`). @default false */
  allowRemoteClients?: boolean;
}

export interface NodeBrokerService {
  service: BrokerService;
  /** The HTTP transport's operations over the same vault, state and rate limiter (Decision 15). */
  proxy: ProxyService;
  vault: Vault;
  /** Closes pooled upstream connections. */
  close(): Promise<void>;
}

/**
 * @example
 * const { service } = await createNodeBrokerService({ env: process.env });
 * const client = createClient({ transport: createInprocTransport(service) });
 */
export async function createNodeBrokerService(options: NodeBrokerServiceOptions): Promise<NodeBrokerService> {
  const { env } = options;
  const devGate = options.devGate ?? DEV_GATE;
  const dev = resolveBrokerDevOptions(env, devGate);
  const ports = options.ports ?? createNodePorts({ env, devGate });
  const vault = createNodeVault(env, ports);
  await vault.load();
  const { service, proxy } = createBrokerServices({
    vault,
    registry: builtinRegistry(),
    brokerStore: createBrokerStore({ fs: ports.fs, path: vault.paths.brokerPath, pid: ports.pid, uuid: ports.uuid, clock: ports.clock }),
    fs: ports.fs,
    crypto: ports.crypto,
    clock: ports.clock,
    timer: nodeTimer,
    upstream: ports.upstream,
    rateLimiter: createRateLimiter({ fs: ports.fs, path: vault.paths.rateLimitsPath, clock: ports.clock, pid: ports.pid, uuid: ports.uuid }),
    cwd: options.cwd ?? process.cwd(),
    policy: { allowHttpLocal: dev.allowHttpLocal, allowNonDefaultPorts: dev.allowNonDefaultPorts, allowRemoteClients: dev.allowRemoteClients },
    ...(dev.codexOAuthTokenEndpoint === undefined ? {} : { codexTokenEndpoint: dev.codexOAuthTokenEndpoint }),
    ...(options.unlockTtlMs === undefined ? {} : { unlockTtlMs: options.unlockTtlMs }),
    proxy: { allowRemoteClients: options.allowRemoteClients === true },
  });
  return { service, proxy, vault, close: () => ports.close() };
}
