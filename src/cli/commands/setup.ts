/**
 * `setup agent-access` and `setup systemd` (Linux, root): idempotent, `--dry-run` prints the
 * commands (`$ program args…`) instead of running the mutating ones; probes still run.
 * `setup launchd` and the macOS branch are out of scope (Decision 17).
 *
 * @see ../../../../shared/spec/cli.md §12
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { ParsedArgs } from '../args.js';
import type { CliContext } from '../context.js';
import { inputError } from '../errors.js';
import { trimmed } from '../flag-helpers.js';
import { locateDaemon } from '../invoke/spawn-daemon.js';
import { sockets } from '../wiring.js';

export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/aivaultd-shared.service';

/** Runs a program; resolves to its exit status (127 when it cannot be started). */
export type CommandRunner = (program: string, args: string[]) => Promise<number>;

export async function runSetup(kind: 'agent-access' | 'launchd' | 'systemd', args: ParsedArgs, ctx: CliContext, run: CommandRunner = execStatus): Promise<number> {
  const platform = process.platform;
  if (kind === 'launchd') throw inputError(platform === 'darwin' ? 'setup launchd is not supported by this build (Decision 17)' : 'launchd setup is only available on macOS');
  if (kind === 'systemd' && platform !== 'linux') throw inputError('systemd setup is only available on Linux');
  if (kind === 'agent-access' && platform !== 'linux') throw inputError('setup agent-access is only available on Linux in this build');
  const uid = ctx.io.uid ?? process.getuid?.() ?? -1;
  if (uid !== 0) throw inputError('this command requires sudo/root');
  const dryRun = args.flag('dry-run');
  const shared = sockets(ctx).shared;
  return kind === 'agent-access' ? agentAccess(args, ctx, run, dryRun, dirname(shared)) : systemd(args, ctx, run, dryRun, shared);
}

/** The unit file of §12.3. */
export function systemdUnit(daemonUser: string, daemonPath: string): string {
  return [
    '[Unit]',
    'Description=aivault broker daemon (aivaultd --shared)',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${daemonUser}`,
    'Group=aivault',
    `ExecStart=${daemonPath} --shared`,
    'Restart=on-failure',
    'RestartSec=1',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

// --- internal ---

async function agentAccess(args: ParsedArgs, ctx: CliContext, run: CommandRunner, dryRun: boolean, dir: string): Promise<number> {
  const agent = trimmed(args, 'agent-user');
  if (agent === undefined) throw inputError('--agent-user is required');
  const daemonUser = trimmed(args, 'daemon-user') ?? (ctx.env.SUDO_USER?.trim() || undefined);
  if (daemonUser === undefined) throw inputError('missing --daemon-user (and $SUDO_USER is not set)');
  const mutate = async (program: string, argv: string[]) => {
    if (dryRun) return ctx.out(`$ ${[program, ...argv].join(' ')}\n`);
    const status = await run(program, argv);
    if (status !== 0) throw inputError(`command failed: ${program} (exit ${status})`);
  };
  if ((await run('getent', ['group', 'aivault'])) !== 0) await mutate('groupadd', ['aivault']);
  for (const user of [daemonUser, agent]) await mutate('usermod', ['-aG', 'aivault', user]);
  await mutate('install', ['-d', '-m', '2750', '-o', daemonUser, '-g', 'aivault', dir]);
  await ctx.out(
    [
      `Configured shared socket directory: ${dir}`,
      `Added users to group 'aivault': ${daemonUser}, ${agent}`,
      '',
      'Next steps:',
      `  1. As ${daemonUser}, start the shared daemon: aivaultd --shared (or: sudo aivault setup systemd --daemon-user ${daemonUser})`,
      `  2. As ${agent} (after logging in again so the group applies), run: aivault invoke <capability> … (no environment variables needed)`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function systemd(args: ParsedArgs, ctx: CliContext, run: CommandRunner, dryRun: boolean, shared: string): Promise<number> {
  const daemonUser = trimmed(args, 'daemon-user');
  if (daemonUser === undefined) throw inputError('--daemon-user is required');
  const unit = systemdUnit(daemonUser, locateDaemon(ctx.io.scriptPath ?? process.argv[1], ctx.env));
  const commands: Array<[string, string[]]> = [
    ['systemctl', ['daemon-reload']],
    ['systemctl', ['enable', '--now', 'aivaultd-shared.service']],
  ];
  if (dryRun) {
    await ctx.out(`Would write: ${SYSTEMD_UNIT_PATH}\n${unit}`);
    for (const [p, a] of commands) await ctx.out(`$ ${[p, ...a].join(' ')}\n`);
    return 0;
  }
  await writeFile(SYSTEMD_UNIT_PATH, unit, { mode: 0o644 });
  for (const [p, a] of commands) {
    const status = await run(p, a);
    if (status !== 0) throw inputError(`command failed: ${p} (exit ${status})`);
  }
  await ctx.out(`Installed systemd unit: ${SYSTEMD_UNIT_PATH}\nDaemon should be running on shared socket: ${shared}\n`);
  return 0;
}

function execStatus(program: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(program, args, (error) => {
      if (error === null) return resolve(0);
      const code = (error as { code?: unknown }).code;
      resolve(typeof code === 'number' ? code : 127);
    });
  });
}
