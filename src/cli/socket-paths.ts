/**
 * Which sockets the CLI talks to (daemon.md §1, §2): explicit, per-user, shared; truthiness rules
 * of the `AIVAULTD_*` variables. Light: the thin invoke path imports it.
 */
import type { EnvMap } from '../core/ports.js';

const TRUTHY = new Set(['1', 'true', 'TRUE', 'yes', 'YES']);

/** Exactly `1|true|TRUE|yes|YES` (raw, not trimmed): `AIVAULTD_DISABLE`, `AIVAULTD_AUTOSTART_ONCE`. */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && TRUTHY.has(value);
}

/** A path variable is "set" when non-empty after trimming; returns the trimmed value. */
export function setPath(env: EnvMap, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

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
  const dir = setPath(env, 'AIVAULT_DIR');
  const root = home === undefined ? `${tmp}/aivault-no-home` : `${home}/.aivault`;
  const sharedEnv = setPath(env, 'AIVAULTD_SHARED_SOCKET');
  return {
    explicit: setPath(env, 'AIVAULTD_SOCKET'),
    user: dir !== undefined ? `${dir}/run/aivaultd.sock` : `${root}/run/aivaultd.sock`,
    shared: sharedEnv ?? (platform === 'darwin' ? '/Users/Shared/aivault/run/aivaultd.sock' : '/var/run/aivault/aivaultd.sock'),
    isolatedDir: dir !== undefined,
    sharedOverride: sharedEnv !== undefined,
  };
}

/** Autostart is on unless `AIVAULTD_AUTOSTART` is set to something other than a (trimmed) truthy value. */
export function autostartEnabled(env: EnvMap): boolean {
  const value = env.AIVAULTD_AUTOSTART;
  return value === undefined || TRUTHY.has(value.trim());
}

/** Autostarted daemons serve one request when `AIVAULTD_AUTOSTART_ONCE` is truthy or `AIVAULT_DIR` is set. */
export function autostartOnce(env: EnvMap): boolean {
  return isTruthy(env.AIVAULTD_AUTOSTART_ONCE) || setPath(env, 'AIVAULT_DIR') !== undefined;
}

/** The vault root (vault.md §2.1): `AIVAULT_DIR`, else `<home>/.aivault/data/vault`. */
export function vaultRootFor(env: EnvMap, home: string | undefined, tmp: string): string {
  const dir = setPath(env, 'AIVAULT_DIR');
  if (dir !== undefined) return dir;
  return home === undefined ? `${tmp}/aivault-no-home/data/vault` : `${home}/.aivault/data/vault`;
}
