/**
 * Broker construction options and their single resolver (STYLE.md rule 8). Ports are required:
 * a missing port is a construction error, never a silent global fallback.
 *
 * @see ../../../shared/spec/broker.md §15, security.md §9
 */
import { BrokerError } from '../broker-error.js';
import type { AuditEvent } from '../vault/types.js';
import type { Clock, CryptoPort, FsPort, UpstreamPort } from '../ports.js';
import type { CallContext, RuntimeState } from './types.js';
import type { RateLimiter } from './rate-limiter.js';

/** Schedules `fn` after `ms`; returns a cancel function. Tests fire timers by hand. */
export interface TimerPort {
  after(ms: number, fn: () => void): () => void;
}

/** Trusted configuration (dev overrides are mapped here by the bins, never read by core). */
export interface BrokerPolicyOptions {
  /** Skip the loopback client check. @default false */
  allowRemoteClients?: boolean;
  /** Accept explicit non-default upstream and OAuth token endpoint ports. @default false */
  allowNonDefaultPorts?: boolean;
  /** Accept `http`/`ws` in target rules. @default false */
  allowHttpLocal?: boolean;
  /** Redirect-hop mode (security.md §4.5). @default 'block' */
  redirectMode?: 'block' | 'revalidate';
  /** Whole-exchange upstream timeout when the call names none. @default 30000 */
  defaultTimeoutMs?: number;
}

export type ResolvedBrokerPolicyOptions = Required<BrokerPolicyOptions>;

export interface BrokerOptions {
  /** Builds the per-invocation view of persisted state for the call's context. */
  state: (ctx: CallContext, requestedCredential: string | null) => Promise<RuntimeState>;
  upstream: UpstreamPort;
  /** Reads `bodyFilePath` / multipart files and stats them for size estimates. */
  fs: FsPort;
  crypto: CryptoPort;
  clock: Clock;
  timer: TimerPort;
  rateLimiter: RateLimiter;
  /** Persists the `capability.invoked` event; failures are ignored (best effort). */
  audit: (event: AuditEvent) => Promise<void>;
  /** Directory relative body file paths resolve against (the executing process's). */
  cwd: string;
  options?: BrokerPolicyOptions;
}

export interface ResolvedBrokerOptions extends Omit<BrokerOptions, 'options'> {
  options: ResolvedBrokerPolicyOptions;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Fills defaults and checks that every port is present.
 *
 * @example resolveBrokerOptions({ ...ports, options: { allowNonDefaultPorts: true } })
 */
export function resolveBrokerOptions(input: BrokerOptions): ResolvedBrokerOptions {
  const required = ['state', 'upstream', 'fs', 'crypto', 'clock', 'timer', 'rateLimiter', 'audit', 'cwd'] as const;
  for (const key of required) {
    if (input[key] === undefined || input[key] === null) {
      throw new BrokerError({ code: 'internal', message: `broker option '${key}' is required` });
    }
  }
  const o = input.options ?? {};
  const redirectMode = o.redirectMode ?? 'block';
  if (redirectMode !== 'block' && redirectMode !== 'revalidate') {
    throw new BrokerError({ code: 'internal', message: 'broker option redirectMode must be block or revalidate' });
  }
  const defaultTimeoutMs = o.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    ...input,
    options: {
      allowRemoteClients: o.allowRemoteClients ?? false,
      allowNonDefaultPorts: o.allowNonDefaultPorts ?? false,
      allowHttpLocal: o.allowHttpLocal ?? false,
      redirectMode,
      defaultTimeoutMs: Number.isFinite(defaultTimeoutMs) && defaultTimeoutMs >= 1 ? Math.floor(defaultTimeoutMs) : 1,
    },
  };
}

/** Effective timeout of a call (broker.md §10.3): absent → default; below 1 → 1 ms. */
export function effectiveTimeoutMs(requested: number | null | undefined, fallback: number): number {
  if (requested === null || requested === undefined || Number.isNaN(requested)) return fallback;
  return requested < 1 ? 1 : Math.floor(requested);
}
