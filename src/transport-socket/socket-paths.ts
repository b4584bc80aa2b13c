/**
 * Socket paths and the `AIVAULTD_*` environment rules, as pure functions of an env snapshot
 * (bins pass `process.env`, `os.homedir()`, `os.tmpdir()` and `process.platform`).
 *
 * @see ../../shared/spec/daemon.md §1, §2, §3
 */
import { join } from 'node:path';
import { isTruthy, resolveHomeDir, type EnvMap } from '../core/protocol/index.js';

/** The core flag rule, re-exported for the socket barrel's existing callers. */
export { isTruthy };

/** A path variable counts as set when non-empty after trimming; the trimmed value is used. */
export function pathVar(env: EnvMap, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `AIVAULTD_AUTOSTART`: on when unset; when set, on only if its trimmed value is truthy. */
export function autostartEnabled(env: EnvMap): boolean {
  const raw = env['AIVAULTD_AUTOSTART'];
  return raw === undefined || isTruthy(raw.trim());
}

/** Autostarted daemons get `--once` when `AIVAULTD_AUTOSTART_ONCE` is truthy or `AIVAULT_DIR` is set. */
export function autostartOnce(env: EnvMap): boolean {
  return isTruthy(env['AIVAULTD_AUTOSTART_ONCE']) || pathVar(env, 'AIVAULT_DIR') !== undefined;
}

/** Octal mode: trimmed, one leading `0o` stripped, base 8; empty or invalid is `undefined` (unset). */
export function parseOctalMode(raw: string | undefined): number | undefined {
  let text = raw?.trim() ?? '';
  if (text.startsWith('0o')) text = text.slice(2);
  if (!/^[0-7]+$/.test(text)) return undefined;
  const mode = parseInt(text, 8);
  return mode <= 0o7777 ? mode : undefined;
}

export interface PathInputs {
  env: EnvMap;
  /** `os.homedir()`; blank or missing falls back to `$HOME`, then `$USERPROFILE` (`resolveHomeDir`). */
  osHome?: string;
  tmpdir: string;
  platform: string;
}

export interface AivaultPaths {
  home: string | null;
  aivaultRoot: string;
  vaultRoot: string;
  userSocket: string;
  sharedSocket: string;
  /** `AIVAULTD_SOCKET` (client only), or `null`. */
  explicitSocket: string | null;
  /** Socket directories that get the 0700 default even when they exist (daemon.md §4 step 2). */
  managedSocketDirs: string[];
}

export function resolveAivaultPaths(inputs: PathInputs): AivaultPaths {
  const { env } = inputs;
  const home = resolveHomeDir(inputs.osHome, env) ?? null;
  const aivaultRoot = home === null ? join(inputs.tmpdir, 'aivault-no-home') : join(home, '.aivault');
  const dir = pathVar(env, 'AIVAULT_DIR');
  const vaultRoot = dir === undefined ? join(aivaultRoot, 'data', 'vault') : dir;
  const userSocket = dir === undefined ? join(aivaultRoot, 'run', 'aivaultd.sock') : join(dir, 'run', 'aivaultd.sock');
  const sharedSocket =
    pathVar(env, 'AIVAULTD_SHARED_SOCKET') ??
    (inputs.platform === 'darwin' ? '/Users/Shared/aivault/run/aivaultd.sock' : '/var/run/aivault/aivaultd.sock');
  const managedSocketDirs = [join(aivaultRoot, 'run'), ...(dir === undefined ? [] : [join(dir, 'run')])];
  return { home, aivaultRoot, vaultRoot, userSocket, sharedSocket, explicitSocket: pathVar(env, 'AIVAULTD_SOCKET') ?? null, managedSocketDirs };
}

/**
 * The sockets a client tries, in order (daemon.md §1.1): `AIVAULTD_SOCKET` alone; else the per-user
 * socket, then the shared one unless `AIVAULT_DIR` is set without `AIVAULTD_SHARED_SOCKET`.
 */
export function clientSocketCandidates(paths: AivaultPaths, env: EnvMap): string[] {
  if (paths.explicitSocket !== null) return [paths.explicitSocket];
  const isolated = pathVar(env, 'AIVAULT_DIR') !== undefined && pathVar(env, 'AIVAULTD_SHARED_SOCKET') === undefined;
  return isolated ? [paths.userSocket] : [paths.userSocket, paths.sharedSocket];
}

/** daemon.md §1.2: `--socket` (trimmed, non-blank), else the shared socket with `--shared`, else per-user. */
export function daemonSocketPath(paths: AivaultPaths, flags: { socket?: string; shared?: boolean }): string {
  const explicit = flags.socket?.trim();
  if (explicit !== undefined && explicit !== '') return explicit;
  return flags.shared === true ? paths.sharedSocket : paths.userSocket;
}

/** Socket and directory modes: env wins; `--shared` defaults 0660/0750; else 0600 and the managed/new-only 0700. */
export function daemonModes(env: EnvMap, shared: boolean): { socketMode: number; dirMode: number | undefined } {
  return {
    socketMode: parseOctalMode(env['AIVAULTD_SOCKET_MODE']) ?? (shared ? 0o660 : 0o600),
    dirMode: parseOctalMode(env['AIVAULTD_SOCKET_DIR_MODE']) ?? (shared ? 0o750 : undefined),
  };
}
