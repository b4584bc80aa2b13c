/**
 * `aivaultd`: the daemon's command line. Parses its flags, resolves the socket and modes, and
 * runs the socket server over the broker service until it stops (`--once`: one connection).
 * Never calls `process.exit` or `console`; errors are one stderr line and exit 1.
 *
 * @see ../../../shared/spec/cli.md §13, daemon.md §3-§4, Decisions 4, 13, 14, 15
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { isBrokerError } from '../core/broker-error.js';
import { parseListenAddress, type ListenAddress } from '../transport-http/listen-address.js';
import { parseArgs, parseIntegerFlag, usageError, type CommandSpec } from './args.js';
import type { CliIo } from './io.js';
import { osTmpdir, resolveHome } from './node-env.js';
import { errorText, exitCodeFor, writeOut } from './output.js';
import { daemonModes, daemonSocketPath, resolveAivaultPaths } from '../transport-socket/socket-paths.js';
import { VERSION } from './version.js';

export const AIVAULTD_SPEC: CommandSpec = {
  path: 'aivaultd',
  summary: 'aivault broker daemon: serves capability invocations on a unix socket (and over HTTP with --http)',
  flags: {
    socket: { type: 'string', value: 'PATH', help: 'socket to listen on (default: the per-user socket)' },
    shared: { type: 'boolean', help: 'listen on the shared socket with group access (0750 dir, 0660 socket)' },
    once: { type: 'boolean', help: 'serve exactly one connection, then exit' },
    'unlock-ttl': { type: 'string', value: 'SECONDS', help: 'forget an unlocked passphrase key after this long without use' },
    http: { type: 'string', value: '[HOST:]PORT', help: 'also serve the HTTP transport on 127.0.0.1:PORT or HOST:PORT ([::1]:PORT; 0 = any free port)' },
    'allow-remote': { type: 'boolean', help: 'let --http listen on a non-loopback address and serve non-loopback clients' },
    version: { type: 'boolean', help: 'print the version' },
  },
};

/** Resolved daemon options handed to the server seam. */
export interface DaemonOptions {
  socketPath: string;
  shared: boolean;
  /** The socket is the shared socket path (reached through `--socket` too): dev variables are refused as with `--shared`. */
  onSharedPath?: boolean;
  once: boolean;
  /** Octal modes after `--shared` defaults; `undefined` = the server's defaults. */
  socketMode: number | undefined;
  dirMode: number | undefined;
  /** Directories the daemon may chmod even when they exist (`<aivault root>/run`, `$AIVAULT_DIR/run`). */
  managedDirs: string[];
  unlockTtlMs: number | undefined;
  /** `--http`, parsed and checked against the loopback rule; `undefined` = socket only. */
  http: ListenAddress | undefined;
  allowRemote: boolean;
  /** Where `--http` keeps `operator.token`: the per-user run directory (`$AIVAULT_DIR/run` or `~/.aivault/run`). */
  runDir: string;
}

/** Runs `aivaultd` with `argv`; resolves to the exit code once the daemon stops. */
export async function runAivaultd(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, AIVAULTD_SPEC, 'aivaultd');
    if (args.help) {
      await writeOut(io.stdout, daemonHelp());
      return 0;
    }
    if (args.flag('version')) {
      await writeOut(io.stdout, `aivaultd ${VERSION}\n`);
      return 0;
    }
    const options = resolveDaemonOptions(args, io);
    const { serveDaemon } = await import('./daemon-main.js');
    return await serveDaemon(options, io);
  } catch (error) {
    await writeOut(io.stderr, `${errorText(error)}\n`).catch(() => undefined);
    return exitCodeFor(error);
  }
}

/** Daemon help text. */
export function daemonHelp(): string {
  const lines = [AIVAULTD_SPEC.summary, '', 'Usage: aivaultd [OPTIONS]', '', 'Options:'];
  for (const [name, flag] of Object.entries(AIVAULTD_SPEC.flags)) {
    const text = `      --${name}${flag.type === 'string' ? ` <${flag.value ?? 'VALUE'}>` : ''}`;
    lines.push(`${text.padEnd(34)}${flag.help}`);
  }
  lines.push(`${'  -h, --help'.padEnd(34)}Print help`, '');
  lines.push(
    'HTTP transport (--http): POST /aivault/proxy, /v/<credential>/..., POST /aivault/tokens/proxy.',
    'Callers send Authorization: Bearer <proxy token>; minting takes the operator token kept in',
    '<run dir>/operator.token (mode 0600; created on the first --http start, then reused).',
    '',
  );
  return lines.join('\n');
}

// --- internal ---

function resolveDaemonOptions(args: ReturnType<typeof parseArgs>, io: CliIo): DaemonOptions {
  const env = io.env;
  const home = resolveHome(env);
  const paths = resolveAivaultPaths({ env, tmpdir: osTmpdir(), platform: process.platform, ...(home === undefined ? {} : { osHome: home }) });
  const shared = args.flag('shared');
  const socket = args.string('socket');
  const modes = daemonModes(env, shared);
  const ttlRaw = args.string('unlock-ttl');
  const ttl = ttlRaw === undefined ? undefined : parseIntegerFlag(ttlRaw, 'unlock-ttl', 'u64', 'aivaultd');
  const socketPath = daemonSocketPath(paths, { shared, ...(socket === undefined ? {} : { socket }) });
  const allowRemote = args.flag('allow-remote');
  const httpRaw = args.string('http');
  if (allowRemote && httpRaw === undefined) throw usageError('--allow-remote requires --http', 'aivaultd');
  if (httpRaw !== undefined && args.flag('once')) throw usageError('--once cannot be combined with --http', 'aivaultd');
  return {
    socketPath,
    shared,
    onSharedPath: resolvePath(socketPath) === resolvePath(paths.sharedSocket),
    once: args.flag('once'),
    socketMode: modes.socketMode,
    dirMode: modes.dirMode,
    managedDirs: paths.managedSocketDirs,
    unlockTtlMs: ttl === undefined ? undefined : ttl * 1000,
    http: httpRaw === undefined ? undefined : listenAddress(httpRaw, allowRemote),
    allowRemote,
    runDir: dirname(paths.userSocket),
  };
}

function listenAddress(raw: string, allowRemote: boolean): ListenAddress {
  try {
    return parseListenAddress(raw, allowRemote);
  } catch (error) {
    throw isBrokerError(error, 'usage') ? usageError(error.message, 'aivaultd') : error;
  }
}
