/**
 * Finding and starting `aivaultd`: next to the running `aivault` script, else on `PATH`; spawned
 * detached with its output appended to `aivaultd.log` beside the socket.
 *
 * @see ../../../../shared/spec/daemon.md §6.5, §7
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { EnvMap } from '../../core/ports.js';
import { daemonError } from '../errors.js';
import type { SpawnedDaemon } from './daemon-route.js';

/** Where `aivaultd` is: a sibling of the running script (`aivaultd`, `aivaultd.js`), else `PATH`. */
export function locateDaemon(scriptPath: string | undefined, env: EnvMap): string {
  if (scriptPath !== undefined && scriptPath !== '') {
    let dir: string;
    try {
      dir = dirname(realpathSync(scriptPath));
    } catch {
      dir = dirname(scriptPath);
    }
    for (const name of ['aivaultd', 'aivaultd.js']) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate) || (name.endsWith('.js') && isFile(candidate))) return candidate;
    }
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'aivaultd');
    if (isExecutableFile(candidate)) return candidate;
  }
  throw daemonError('could not locate aivaultd (not found in PATH)');
}

export interface SpawnOptions {
  daemonPath: string;
  args: string[];
  env: EnvMap;
  /** Append stdout/stderr here; `undefined` discards them. */
  logPath?: string;
  /** Keep the parent alive until the child exits (`--once`). */
  waitForExit: boolean;
}

/** Autostarted and restarted daemons append their output to `aivaultd.log` beside the socket. */
export function daemonLogPath(socket: string): string {
  return `${socket.slice(0, Math.max(socket.lastIndexOf('/'), 0))}/aivaultd.log`;
}

/** Spawns the daemon detached; "failed to start aivaultd: <err>" on failure. */
export function spawnDaemon(options: SpawnOptions): Promise<SpawnedDaemon> {
  const { command, argv } = commandFor(options.daemonPath, options.args);
  const fd = options.logPath === undefined ? undefined : openLog(options.logPath);
  return new Promise((resolve, reject) => {
    let exited = false;
    let settle!: () => void;
    const exitedPromise = new Promise<void>((r) => {
      settle = r;
    });
    const child = spawn(command, argv, {
      detached: true,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
    });
    if (fd !== undefined) closeSync(fd);
    child.once('error', (error) => {
      exited = true;
      settle();
      reject(daemonError(`failed to start aivaultd: ${error.message}`, error));
    });
    child.once('exit', () => {
      exited = true;
      settle();
    });
    child.once('spawn', () => {
      if (!options.waitForExit) child.unref();
      resolve({ exited: exitedPromise, hasExited: () => exited });
    });
  });
}

// --- internal ---

/**
 * The log beside the socket, or `undefined` (output discarded, as the contract has it) when it
 * cannot be ours: `AIVAULTD_SOCKET` may sit in a shared directory such as `/tmp`, where another
 * user could plant a symlink (refused by O_NOFOLLOW) or a file of their own to read the log.
 */
function openLog(path: string): number | undefined {
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const uid = process.getuid?.();
    if (uid !== undefined && fstatSync(fd).uid !== uid) throw new Error('log file owned by another user');
    return fd;
  } catch {
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
}

function commandFor(daemonPath: string, args: string[]): { command: string; argv: string[] } {
  return daemonPath.endsWith('.js') ? { command: process.execPath, argv: [daemonPath, ...args] } : { command: daemonPath, argv: args };
}

function isFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return !path.endsWith('/');
  } catch {
    return false;
  }
}
