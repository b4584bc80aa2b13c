/**
 * Commands that manage the daemon rather than the vault: `unlock`, `lock` (Decision 4/18),
 * `restart`, and the Linux `setup` helpers.
 *
 * @see ../../../../shared/spec/cli.md §3.3, §11, §12; daemon.md §7
 */
import { rm } from 'node:fs/promises';
import { wipe } from '../../core/encoding.js';
import type { ControlTransport } from '../../core/transport.js';
import type { CliContext } from '../context.js';
import { daemonError, inputError } from '../errors.js';
import { statusJson } from '../format/status.js';
import { isConnectFailure, retryAfterAutostart } from '../invoke/daemon-route.js';
import { daemonLogPath, locateDaemon, spawnDaemon } from '../invoke/spawn-daemon.js';
import type { CommandHandler } from '../run-aivault.js';
import { autostartEnabled, isTruthy } from '../socket-paths.js';
import { connectSocket, openVault, sockets } from '../wiring.js';
import { runSetup } from './setup.js';
import { stopDaemon } from './stop-daemon.js';

export const DAEMON_ADMIN_COMMANDS: Record<string, CommandHandler> = {
  async unlock(args, ctx) {
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    const status = await vault.status();
    if (status.providerType !== 'passphrase') {
      await ctx.json(statusJson(status));
      return;
    }
    const { passphraseFrom } = await import('../passphrase.js');
    const passphrase = (await passphraseFrom(ctx, args.string('passphrase'), { required: true }))!;
    if (isTruthy(ctx.env.AIVAULTD_DISABLE)) {
      // No daemon to hold the key: derive and verify in this process, as the original does (cli.md §3.3).
      await ctx.json(statusJson(await vault.unlock(passphrase)));
      return;
    }
    const key = await vault.deriveKey(passphrase);
    try {
      const path = controlSocket(ctx);
      const daemon = await withDaemon(ctx, path, true, (t) => t.unlock(key));
      await ctx.json(statusJson({ ...status, locked: daemon.locked }));
    } finally {
      wipe(key);
    }
  },

  async lock(_args, ctx) {
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    const local = await vault.lock();
    let locked = local.locked;
    if (isTruthy(ctx.env.AIVAULTD_DISABLE)) {
      await ctx.json(statusJson(local));
      return;
    }
    try {
      locked = (await withDaemon(ctx, controlSocket(ctx), false, (t) => t.lock())).locked;
    } catch (error) {
      if (!isConnectFailure(error)) throw error;
    }
    await ctx.json(statusJson({ ...local, locked: local.providerType === 'passphrase' ? locked || local.locked : local.locked }));
  },

  async restart(_args, ctx) {
    if (process.platform === 'win32') throw inputError('restart requires a unix-like OS');
    const socket = controlSocket(ctx);
    await stopDaemon(socket);
    await rm(socket, { force: true }).catch(() => undefined);
    const daemonPath = locateDaemon(ctx.io.scriptPath ?? process.argv[1], ctx.env);
    await spawnDaemon({ daemonPath, args: ['--socket', socket], env: ctx.env, logPath: daemonLogPath(socket), waitForExit: false });
    await probeUntilUp(socket, 50, 3000);
    await ctx.json({ restarted: true, socket, daemonPath });
  },

  'setup agent-access': (args, ctx) => runSetup('agent-access', args, ctx),
  'setup launchd': (args, ctx) => runSetup('launchd', args, ctx),
  'setup systemd': (args, ctx) => runSetup('systemd', args, ctx),
};

// --- internal ---

/** `restart`, `unlock`, `lock`: `AIVAULTD_SOCKET`, else the per-user socket (never the shared one). */
function controlSocket(ctx: CliContext): string {
  const choice = sockets(ctx);
  return choice.explicit ?? choice.user;
}


/** Runs a control op; when `start` and nothing answers, starts a long-running daemon first (Decision 18). */
async function withDaemon<T>(ctx: CliContext, path: string, start: boolean, op: (t: ControlTransport) => Promise<T>): Promise<T> {
  const once = async () => {
    const t = await connectSocket(path);
    try {
      return await op(t);
    } finally {
      await t.close().catch(() => undefined);
    }
  };
  try {
    return await once();
  } catch (error) {
    if (!start || !isConnectFailure(error)) throw error;
  }
  // AIVAULTD_AUTOSTART set to a non-truthy value turns off every autostart, unlock's included (daemon.md §2, §6.5).
  if (!autostartEnabled(ctx.env)) throw daemonError(`aivaultd not running at '${path}' (autostart disabled)`);
  const daemonPath = locateDaemon(ctx.io.scriptPath ?? process.argv[1], ctx.env);
  const child = await spawnDaemon({ daemonPath, args: ['--socket', path], env: ctx.env, logPath: daemonLogPath(path), waitForExit: false });
  return retryAfterAutostart(path, child, once);
}

/** daemon.md §7 step 6: health probe every `stepMs` for up to `forMs`. */
async function probeUntilUp(socket: string, stepMs: number, forMs: number): Promise<void> {
  const deadline = Date.now() + forMs;
  for (;;) {
    try {
      const t = await connectSocket(socket);
      try {
        await t.health();
      } finally {
        await t.close().catch(() => undefined);
      }
      return;
    } catch (error) {
      const kind = (error as { details?: Record<string, unknown> }).details?.['kind'];
      if (kind === 'remote') return;
      if (kind === 'protocol') throw daemonError(`daemon protocol error after restart: ${protocolDetail(error as Error, socket)}`);
      if (!isConnectFailure(error)) throw error;
      if (Date.now() >= deadline) throw daemonError(`timed out waiting for aivaultd on '${socket}': daemon did not accept connections`);
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}

/** The `<detail>` of "invalid response from aivaultd at '<socket>': <detail>" (daemon.md §7 step 6 prints the detail alone). */
function protocolDetail(error: Error, socket: string): string {
  const prefix = `invalid response from aivaultd at '${socket}': `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
