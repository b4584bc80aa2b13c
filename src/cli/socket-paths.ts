/**
 * Which sockets the CLI talks to (daemon.md §1, §2), in the shape the invoke routing uses. The
 * rules themselves live in the socket transport; this only adapts them. Light: the thin invoke
 * path imports it.
 */
import type { EnvMap } from '../core/ports.js';
import { pathVar, resolveAivaultPaths } from '../transport-socket/socket-paths.js';

export { autostartEnabled, autostartOnce, isTruthy } from '../transport-socket/socket-paths.js';

export interface SocketChoice {
  /** `AIVAULTD_SOCKET`, when set: the only socket tried. */
  explicit: string | undefined;
  user: string;
  shared: string;
  /** `AIVAULT_DIR` is set. */
  isolatedDir: boolean;
  /** `AIVAULTD_SHARED_SOCKET` is set. */
  sharedOverride: boolean;
}

/** Resolves every socket path from the environment. */
export function socketChoice(env: EnvMap, home: string | undefined, tmp: string, platform: string): SocketChoice {
  const paths = resolveAivaultPaths({ env, tmpdir: tmp, platform, ...(home === undefined ? {} : { osHome: home }) });
  return {
    explicit: paths.explicitSocket ?? undefined,
    user: paths.userSocket,
    shared: paths.sharedSocket,
    isolatedDir: pathVar(env, 'AIVAULT_DIR') !== undefined,
    sharedOverride: pathVar(env, 'AIVAULTD_SHARED_SOCKET') !== undefined,
  };
}

/** The vault root (vault.md §2.1): `AIVAULT_DIR`, else `<home>/.aivault/data/vault`. */
export function vaultRootFor(env: EnvMap, home: string | undefined, tmp: string): string {
  return resolveAivaultPaths({ env, tmpdir: tmp, platform: process.platform, ...(home === undefined ? {} : { osHome: home }) }).vaultRoot;
}
