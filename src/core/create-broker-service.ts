/**
 * The service a daemon or the in-process transport serves: one vault, the compiled-in registry,
 * `broker.json`, and the broker pipeline, assembled once; with it, the proxy service an HTTP
 * transport serves (Decision 15), over the same state, rate limiter, audit and upstream. Long-lived state lives here (the
 * unlocked key, rate windows through the rate limiter, the upstream pool inside the upstream
 * port). `vault.load()` runs at the first call and again only when `vault.json` changed (one
 * `stat` per call); persisted broker state is validated by `stat` on every call, so operator
 * changes from other processes still apply at once.
 *
 * @see ../../shared/spec/daemon.md §5.6, spec/README.md Decisions 4, 9, 12, 18
 */
import { createBrokerCore, type BrokerCore } from './broker/create-broker.js';
import type { BrokerPolicyOptions, TimerPort } from './broker/options.js';
import type { RateLimiter } from './broker/rate-limiter.js';
import type { CallContext } from './broker/types.js';
import type { Clock, CryptoPort, FsPort, UpstreamPort } from './ports.js';
import type { BrokerService, DaemonStatus } from './protocol/service.js';
import { buildProxyService } from './proxy/_proxy-service.js';
import { createProxyTokenStore, type ProxyTokenStore } from './proxy/token-store.js';
import type { ProxyService } from './proxy/types.js';
import type { BrokerStore } from './registry/broker-store.js';
import type { Registry } from './registry/registry.js';
import { fileStamp } from './registry/file-stamp.js';
import { createStatWatch } from './stat-watch.js';
import { createCodexRefresher } from './runtime/codex-refresher.js';
import { createRuntimeState, createRuntimeStateCache } from './runtime/create-runtime-state.js';
import type { Vault } from './vault/types.js';

export interface BrokerServiceOptions {
  vault: Vault;
  registry: Registry;
  brokerStore: BrokerStore;
  fs: FsPort;
  crypto: CryptoPort;
  clock: Clock;
  timer: TimerPort;
  upstream: UpstreamPort;
  rateLimiter: RateLimiter;
  /** Where relative `bodyFilePath` / multipart paths resolve (the executing process's cwd). */
  cwd: string;
  policy?: BrokerPolicyOptions;
  /**
   * The Codex OAuth token endpoint (dev override `AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT`, mapped
   * by the bins); an `http` one needs `policy.allowHttpLocal`.
   * @default 'https://auth.openai.com/oauth/token'
   * @see ../../shared/spec/registry.md §7.5, security.md §9
   */
  codexTokenEndpoint?: string;
  /**
   * Drop an unlocked passphrase key after this many ms without use (`aivaultd --unlock-ttl`).
   * @default undefined (keep until `lock` or exit)
   */
  unlockTtlMs?: number;
}

/** How the proxy service differs from the socket service (transports.md §6, §8). */
export interface ProxyServiceConfig {
  /**
   * Accept non-loopback clients for proxy operations (`aivaultd --http … --allow-remote`); the
   * dev override `policy.allowRemoteClients` enables them too.
   * @default false
   */
  allowRemoteClients?: boolean;
  /** The proxy token store. @default a new in-memory store on the service's clock and crypto */
  tokens?: ProxyTokenStore;
}

export interface BrokerServicesOptions extends BrokerServiceOptions {
  proxy?: ProxyServiceConfig;
}

/** The socket service and the proxy service over one vault, registry, rate limiter and upstream. */
export interface BrokerServices {
  service: BrokerService;
  proxy: ProxyService;
  tokens: ProxyTokenStore;
}

/** @example createBrokerService({ vault, registry: builtinRegistry(), brokerStore, ...ports }) */
export function createBrokerService(options: BrokerServiceOptions): BrokerService {
  return createBrokerServices(options).service;
}

/**
 * @example
 * const { service, proxy } = createBrokerServices({ vault, registry, brokerStore, ...ports, proxy: { allowRemoteClients } })
 * @see ../../shared/spec/transports.md, spec/README.md Decision 15
 */
export function createBrokerServices(options: BrokerServicesOptions): BrokerServices {
  const { vault, clock, timer } = options;
  /** One refresher for the service's lifetime: it serialises Codex refreshes per secret. */
  const refreshCodex = createCodexRefresher({
    upstream: options.upstream,
    clock,
    timer,
    allowHttp: options.policy?.allowHttpLocal ?? false,
    ...(options.codexTokenEndpoint === undefined ? {} : { tokenEndpoint: options.codexTokenEndpoint }),
    ...(options.policy?.defaultTimeoutMs === undefined ? {} : { timeoutMs: options.policy.defaultTimeoutMs }),
  });
  /** Derivation reused while the claimed secrets' metadata and `broker.json` are unchanged. */
  const stateCache = createRuntimeStateCache();
  const coreFor = (policy: BrokerServiceOptions['policy']): BrokerCore => createBrokerCore({
    state: (ctx, requestedCredential) =>
      createRuntimeState({
        vault,
        registry: options.registry,
        brokerStore: options.brokerStore,
        clock,
        context: { workspaceId: ctx.workspaceId ?? null, groupId: ctx.groupId ?? null },
        requestedCredential,
        refreshCodex,
        cache: stateCache,
      }),
    upstream: options.upstream,
    fs: options.fs,
    crypto: options.crypto,
    clock,
    timer,
    rateLimiter: options.rateLimiter,
    // queued in order and appended right away; the call does not wait for it (`vault.flush()` does)
    audit: (event) => {
      void vault.appendAudit(event);
      return Promise.resolve();
    },
    cwd: options.cwd,
    ...(policy === undefined ? {} : { options: policy }),
  });
  const broker = coreFor(options.policy);
  const remote = options.proxy?.allowRemoteClients === true || options.policy?.allowRemoteClients === true;
  const proxyCore = coreFor({ ...options.policy, allowRemoteClients: remote });

  const ensureLoaded = createLoadOnChange(vault, createStatWatch({ fs: options.fs, clock }));
  let cancelTtl: (() => void) | undefined;
  const ttl = options.unlockTtlMs;
  /** `--unlock-ttl` counts from the key's last use (Decision 16). */
  const touchKey = async (): Promise<void> => {
    if (ttl === undefined) return;
    cancelTtl?.();
    cancelTtl = undefined;
    if ((await vault.status()).locked) return;
    cancelTtl = timer.after(ttl, () => {
      cancelTtl = undefined;
      void vault.lock().catch(() => undefined);
    });
  };
  const lockState = async (): Promise<DaemonStatus> => ({ locked: (await vault.status()).locked });
  const guard = async <T>(operation: () => Promise<T>): Promise<T> => {
    await ensureLoaded();
    try {
      return await operation();
    } finally {
      await touchKey();
    }
  };
  const tokens = options.proxy?.tokens ?? createProxyTokenStore({ clock, crypto: options.crypto });
  const proxy = buildProxyService({
    core: proxyCore,
    tokens,
    guard,
    tableCapabilityIds: async () => (await options.brokerStore.loadShared()).capabilities.map((c) => c.id),
  });

  const service: BrokerService = {
    handle: (request, ctx: CallContext) => guard(() => broker.handle(request, ctx)),
    async unlock(key) {
      await vault.unlockWithKey(key);
      await touchKey();
      return lockState();
    },
    async lock() {
      cancelTtl?.();
      cancelTtl = undefined;
      await vault.lock();
      return lockState();
    },
    status: lockState,
  };
  return { service, proxy, tokens };
}

// --- internal ---

/**
 * The operator preamble (auto-init, rotation recovery, migrations) once per change of `vault.json`:
 * concurrent first calls share one run; a failed run is retried by the next call. The stamp is
 * taken before loading, so a load that rewrites the file costs one more load, never a missed change.
 */
function createLoadOnChange(vault: Vault, fs: Pick<FsPort, 'stat'>): () => Promise<void> {
  let loaded: string | null = null;
  let running: Promise<void> | null = null;
  return async () => {
    const stamp = await fileStamp(fs, vault.paths.configPath);
    if (stamp !== null && stamp === loaded) return;
    running ??= (async () => {
      try {
        await vault.load();
        loaded = stamp;
      } finally {
        running = null;
      }
    })();
    await running;
  };
}
