/**
 * Which daemon an invocation goes to: the thin attempt (no local state, no autostart) and the
 * local path with autostart, with the contract's socket order and messages.
 *
 * @see ../../../../shared/spec/daemon.md §6, cli.md §7.4-§7.5
 */
import { BrokerError } from '../../core/broker-error.js';
import type { Transport } from '../../core/transport.js';
import { daemonError } from '../errors.js';
import type { SocketChoice } from '../socket-paths.js';

/** One exchange over a transport (a buffered invoke, or a stream written to stdout as it arrives). */
export type Exchange<T> = (transport: Transport) => Promise<T>;

/** A spawned daemon: `exited` settles when the child process ends. */
export interface SpawnedDaemon {
  readonly exited: Promise<void>;
  hasExited(): boolean;
}

/** The process-level operations routing needs; tests fake them. */
export interface RouteDeps {
  connect(path: string): Promise<Transport>;
  /** Spawns `aivaultd --socket <path> [--once]`; throws "failed to start aivaultd: …". */
  spawnDaemon(path: string, once: boolean): Promise<SpawnedDaemon>;
  dirExists(path: string): Promise<boolean>;
  autostart: boolean;
  once: boolean;
  /** Retry spacing and bound after autostart (daemon.md §6.5: 25 ms, 2 s). */
  retryMs?: number;
  retryForMs?: number;
}

/** `true` when `error` is a socket connect failure (missing file, refused, permission denied). */
export function isConnectFailure(error: unknown): boolean {
  return error instanceof BrokerError && error.details?.['kind'] === 'connect';
}

/**
 * daemon.md §6.5: after spawning, retry `attempt` every `stepMs` (25 ms) for up to `forMs` (2 s) while
 * it fails to connect; stops early when the child dies. Other errors pass through at once.
 */
export async function retryAfterAutostart<T>(
  path: string,
  child: SpawnedDaemon,
  attempt: () => Promise<T>,
  timing: { stepMs?: number | undefined; forMs?: number | undefined } = {},
): Promise<T> {
  const step = timing.stepMs ?? 25;
  const deadline = Date.now() + (timing.forMs ?? 2000);
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConnectFailure(error)) throw error;
      if (child.hasExited() || Date.now() >= deadline) throw connectFailure(`failed connecting to aivaultd at '${path}' after autostart`, error);
      // Wake on the retry tick or as soon as the child dies, whichever is first.
      await Promise.race([new Promise((r) => setTimeout(r, step)), child.exited]);
    }
  }
}

/**
 * The thin attempt (daemon.md §6.2): explicit socket only if set; else per-user, then shared
 * (unless `AIVAULT_DIR` isolates the run). No autostart.
 */
export async function thinAttempt<T>(choice: SocketChoice, deps: RouteDeps, exchange: Exchange<T>): Promise<T> {
  if (choice.explicit !== undefined) return once(deps, choice.explicit, exchange);
  try {
    return await once(deps, choice.user, exchange);
  } catch (error) {
    if (!isConnectFailure(error) || (choice.isolatedDir && !choice.sharedOverride)) throw error;
  }
  try {
    return await once(deps, choice.shared, exchange);
  } catch (error) {
    if (!isConnectFailure(error)) throw error;
    throw connectFailure(`failed connecting to aivaultd (tried '${choice.user}' and '${choice.shared}'): ${reasonOf(error)}`, error);
  }
}

/**
 * Whether a failed thin attempt falls through to the local path (daemon.md §6.3 with the
 * rewrite's SHOULD: only connect failures and "not available locally" construction errors).
 */
export function shouldFallBack(error: unknown, choice: SocketChoice): boolean {
  const text = error instanceof Error ? error.message : '';
  if (text.includes('policy not available locally') || text.includes('is not available locally')) return true;
  if (choice.explicit !== undefined || choice.sharedOverride) return false;
  return isConnectFailure(error);
}

/** The local path's daemon connection with autostart (daemon.md §6.4-§6.5). */
export async function localAttempt<T>(choice: SocketChoice, deps: RouteDeps, exchange: Exchange<T>): Promise<T> {
  if (choice.explicit !== undefined) {
    try {
      return await once(deps, choice.explicit, exchange);
    } catch (error) {
      if (!isConnectFailure(error)) throw error;
      if (choice.explicit === choice.shared) {
        throw connectFailure(`failed connecting to aivaultd at '${choice.explicit}' (shared socket; autostart suppressed)`, error);
      }
      return autostartOn(choice.explicit, deps, exchange);
    }
  }
  try {
    return await once(deps, choice.user, exchange);
  } catch (error) {
    if (!isConnectFailure(error)) throw error;
    if (choice.isolatedDir && !choice.sharedOverride) return autostartOn(choice.user, deps, exchange);
  }
  try {
    return await once(deps, choice.shared, exchange);
  } catch (error) {
    if (!isConnectFailure(error)) throw error;
  }
  if (await deps.dirExists(parentDir(choice.shared))) {
    throw daemonError(`aivaultd not running at shared socket '${choice.shared}' (start it as the operator with \`aivaultd --shared\`)`);
  }
  try {
    return await autostartOn(choice.user, deps, exchange);
  } catch (error) {
    if (error instanceof BrokerError && !error.fromWire) {
      throw new BrokerError({ code: error.code, message: `${error.message}\n(also tried shared socket '${choice.shared}')`, ...(error.details ? { details: error.details } : {}) });
    }
    throw error;
  }
}

// --- internal ---

async function once<T>(deps: RouteDeps, path: string, exchange: Exchange<T>): Promise<T> {
  const transport = await deps.connect(path);
  try {
    return await exchange(transport);
  } finally {
    await transport.close().catch(() => undefined);
  }
}

async function autostartOn<T>(path: string, deps: RouteDeps, exchange: Exchange<T>): Promise<T> {
  if (!deps.autostart) throw daemonError(`aivaultd not running at '${path}' (autostart disabled)`);
  const child = await deps.spawnDaemon(path, deps.once);
  let result: T;
  try {
    result = await retryAfterAutostart(path, child, () => once(deps, path, exchange), { stepMs: deps.retryMs, forMs: deps.retryForMs });
  } catch (error) {
    // A `--once` daemon that answered (even with an error) is let finish; one that never came up is not awaited.
    if (deps.once && !isConnectFailure(error)) await child.exited;
    throw error;
  }
  if (deps.once) await child.exited;
  return result;
}

function connectFailure(message: string, cause: unknown): BrokerError {
  const reason = reasonOf(cause);
  return new BrokerError({ code: 'daemon_error', message, details: { kind: 'connect', reason }, cause });
}

function reasonOf(error: unknown): string {
  if (error instanceof BrokerError && typeof error.details?.['reason'] === 'string') return error.details['reason'];
  const text = error instanceof Error ? error.message : String(error);
  const at = text.lastIndexOf("': ");
  return at < 0 ? text : text.slice(at + 3);
}

function parentDir(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
