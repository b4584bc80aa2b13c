/**
 * `aivault`: parses the command path, prints help/version, dispatches to a lazily imported
 * handler and maps any error to one stderr line and an exit code (0 / 1 runtime / 2 usage).
 * Static imports stay minimal so `aivault invoke` on the daemon path loads no vault, crypto,
 * registry or broker code (handlers are dynamic imports).
 *
 * @see ../../../shared/spec/cli.md §1-§2
 */
import { flushOpenVaults } from './pending-writes.js';
import { parseArgs, suggest, usageError, type ParsedArgs } from './args.js';
import { COMMAND_ALIASES, COMMAND_GROUPS, COMMAND_SPECS } from './command-specs.js';
import { createCliContext, type CliContext } from './context.js';
import type { CliIo } from './io.js';
import { errorText, exitCodeFor, writeOut } from './output.js';
import { VERSION } from './version.js';
import { runInvokeCommand } from './commands/invoke.js';

/** A command implementation: resolves to an exit code (default 0). */
export type CommandHandler = (args: ParsedArgs, ctx: CliContext, command: string) => Promise<number | void>;

type Loader = () => Promise<CommandHandler>;

/** Help texts (banner, usage tables) load only when help is printed: not on the invoke path. */
const help = () => import('./help.js');

const vault = (name: string): Loader => async () => (await import('./commands/vault.js')).VAULT_COMMANDS[name]!;
const secrets = (name: string): Loader => async () => (await import('./commands/secrets.js')).SECRETS_COMMANDS[name]!;
const credential = (name: string): Loader => async () => (await import('./commands/credential.js')).CREDENTIAL_COMMANDS[name]!;
const capability = (name: string): Loader => async () => (await import('./commands/capability.js')).CAPABILITY_COMMANDS[name]!;
// The invoke path is static: it is the hot one, and bundling it into the entry file saves module loads.
const invoke: Loader = async () => runInvokeCommand;
const misc = (name: string): Loader => async () => (await import('./commands/misc.js')).MISC_COMMANDS[name]!;
const daemon = (name: string): Loader => async () => (await import('./commands/daemon-admin.js')).DAEMON_ADMIN_COMMANDS[name]!;

/** Command path → handler loader. */
const HANDLERS = {
  status: vault('status'),
  init: vault('init'),
  unlock: daemon('unlock'),
  lock: daemon('lock'),
  'rotate-master': vault('rotate-master'),
  audit: vault('audit'),
  'secrets list': secrets('list'),
  'secrets create': secrets('create'),
  'secrets update': secrets('update'),
  'secrets rotate': secrets('rotate'),
  'secrets delete': secrets('delete'),
  'secrets attach-group': secrets('attach-group'),
  'secrets detach-group': secrets('detach-group'),
  'secrets import': secrets('import'),
  'credential create': credential('create'),
  'credential list': credential('list'),
  'credential delete': credential('delete'),
  'capability list': capability('list'),
  'capability describe': capability('describe'),
  'capability create': capability('create'),
  'capability delete': capability('delete'),
  'capability policy set': capability('policy set'),
  'capability bind': capability('bind'),
  'capability unbind': capability('unbind'),
  'capability bindings': capability('bindings'),
  'capability invoke': invoke,
  'capability json': invoke,
  'capability markdown': invoke,
  invoke,
  json: invoke,
  markdown: invoke,
  'oauth setup': misc('oauth setup'),
  'provider list': misc('provider list'),
  'provider install': misc('provider install'),
  'provider enable': misc('provider enable'),
  'provider disable': misc('provider disable'),
  'provider remove': misc('provider remove'),
  'setup agent-access': daemon('setup agent-access'),
  'setup launchd': daemon('setup launchd'),
  'setup systemd': daemon('setup systemd'),
  restart: daemon('restart'),
} satisfies Record<keyof typeof COMMAND_SPECS, Loader>;

/**
 * Runs `aivault` with `argv` (without the node and script paths); resolves to the exit code.
 * Never calls `process.exit` or `console`; never prints a stack.
 *
 * @example process.exitCode = await runAivault(process.argv.slice(2), { env: process.env, get stdin() { return process.stdin; }, stdout, stderr })
 */
export async function runAivault(argv: string[], io: CliIo): Promise<number> {
  const ctx = createCliContext(io);
  try {
    return await dispatch(argv, ctx);
  } catch (error) {
    await writeOut(io.stderr, `${errorText(error)}\n`).catch(() => undefined);
    return exitCodeFor(error);
  } finally {
    // in-process calls do not wait for their audit lines: they must be on disk before we return
    await flushOpenVaults();
  }
}

// --- internal ---

async function dispatch(argv: string[], ctx: CliContext): Promise<number> {
  const first = argv[0];
  if (first === undefined) {
    await ctx.err((await help()).topLevelHelp(ctx.io.stderr.isTTY === true));
    return 2;
  }
  if (first === '--version' && argv.length === 1) {
    await ctx.out(`aivault ${VERSION}\n`);
    return 0;
  }
  if (first === '-h' || first === '--help') {
    await ctx.out((await help()).topLevelHelp(ctx.io.stdout.isTTY === true));
    return 0;
  }
  if (first === 'help') return printHelpFor(argv.slice(1), ctx);

  const resolved = resolveCommand(argv);
  if (resolved.kind === 'group') {
    // `aivault secrets --help` prints the group's help; a bare group is a usage error showing it.
    const text = (await help()).groupHelp(resolved.path);
    await (resolved.help ? ctx.out(text) : ctx.err(text));
    return resolved.help ? 0 : 2;
  }
  const { path, rest } = resolved;
  const spec = COMMAND_SPECS[path]!;
  const args = parseArgs(rest, spec);
  if (args.help) {
    await ctx.out((await help()).commandHelp(spec));
    return 0;
  }
  const handler = await HANDLERS[path as keyof typeof HANDLERS]();
  return (await handler(args, ctx, aliasedName(argv, path))) ?? 0;
}

/** Walks `argv` down the command tree (groups, aliases) to a leaf command. */
type Resolved = { kind: 'leaf'; path: string; rest: string[] } | { kind: 'group'; path: string; help: boolean };

function resolveCommand(argv: string[]): Resolved {
  let path = '';
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    const candidate = path === '' ? token : `${path} ${token}`;
    const resolved = COMMAND_ALIASES[candidate] ?? candidate;
    if (Object.hasOwn(COMMAND_SPECS, resolved)) return { kind: 'leaf', path: resolved, rest: argv.slice(i + 1) };
    if (Object.hasOwn(COMMAND_GROUPS, resolved)) {
      path = resolved;
      continue;
    }
    break;
  }
  const token = argv[i];
  if (path === '') {
    throw usageError(`unrecognized subcommand '${token ?? ''}'${suggest(token ?? '', [...topLevelNames()], '')}`);
  }
  if (token === undefined || token === '-h' || token === '--help') return { kind: 'group', path, help: token !== undefined };
  throw usageError(`unrecognized subcommand '${token}' for 'aivault ${path}'${suggest(token, subNames(path), '')}`, path);
}

/** The command name as typed (`md`, `call`…), which the invoke handler uses for its output mode. */
function aliasedName(argv: string[], path: string): string {
  const words = path.split(' ').length;
  const typed = argv.slice(0, words).join(' ');
  return COMMAND_ALIASES[typed] ?? path;
}

async function printHelpFor(words: string[], ctx: CliContext): Promise<number> {
  if (words.length === 0) {
    await ctx.out((await help()).topLevelHelp(ctx.io.stdout.isTTY === true));
    return 0;
  }
  const joined = words.join(' ');
  const path = COMMAND_ALIASES[joined] ?? joined;
  if (Object.hasOwn(COMMAND_SPECS, path)) {
    await ctx.out((await help()).commandHelp(COMMAND_SPECS[path]!));
    return 0;
  }
  if (Object.hasOwn(COMMAND_GROUPS, path)) {
    await ctx.out((await help()).groupHelp(path));
    return 0;
  }
  throw usageError(`no help for unknown command '${joined}'`);
}

function topLevelNames(): Set<string> {
  const names = new Set<string>(['help']);
  for (const path of [...Object.keys(COMMAND_SPECS), ...Object.keys(COMMAND_GROUPS), ...Object.keys(COMMAND_ALIASES)]) names.add(path.split(' ')[0]!);
  return names;
}

function subNames(group: string): string[] {
  const prefix = `${group} `;
  return [...Object.keys(COMMAND_SPECS), ...Object.keys(COMMAND_ALIASES)]
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length).split(' ')[0]!);
}
