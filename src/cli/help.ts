/**
 * Help texts: the ANSI Shadow banner on top-level help (coloured only on a terminal), generated
 * usage for every command and group.
 *
 * @see ../../../shared/spec/cli.md §1.3
 */
import type { CommandSpec } from './args.js';
import { COMMAND_GROUPS, COMMAND_SPECS } from './command-specs.js';

export const BANNER_ROWS = [
  ' █████╗ ██╗██╗   ██╗ █████╗ ██╗   ██╗██╗  ████████╗',
  '██╔══██╗██║██║   ██║██╔══██╗██║   ██║██║  ╚══██╔══╝',
  '███████║██║██║   ██║███████║██║   ██║██║     ██║',
  '██╔══██║██║╚██╗ ██╔╝██╔══██║██║   ██║██║     ██║',
  '██║  ██║██║ ╚████╔╝ ██║  ██║╚██████╔╝███████╗██║',
  '╚═╝  ╚═╝╚═╝  ╚═══╝  ╚═╝  ╚═╝ ╚═════╝ ╚══════╝╚═╝',
] as const;

const BANNER_COLORS = [255, 253, 251, 249, 247, 245] as const;

/** The blank line and six banner rows; each row carries its 256-colour escape when `tty`. */
export function banner(tty: boolean): string {
  const rows = BANNER_ROWS.map((row, i) => (tty ? `\u001b[38;5;${BANNER_COLORS[i]!}m${row}\u001b[0m` : row));
  return `\n${rows.join('\n')}\n`;
}

const TOP_LEVEL_ORDER = [
  'status', 'init', 'unlock', 'lock', 'rotate-master', 'audit', 'secrets', 'credential', 'capability',
  'invoke', 'json', 'markdown', 'oauth', 'provider', 'setup', 'restart',
];

/** `aivault --help`: banner, usage, commands, environment hints. */
export function topLevelHelp(tty: boolean): string {
  const lines = [
    banner(tty),
    'Keep API keys out of agent code: invoke capabilities through a local broker that injects auth on the wire.',
    '',
    'Usage: aivault <command> [<subcommand>] [args]',
    '',
    'Commands:',
  ];
  for (const name of TOP_LEVEL_ORDER) {
    const summary = COMMAND_GROUPS[name] ?? COMMAND_SPECS[name]?.summary ?? '';
    lines.push(`  ${name.padEnd(15)}${summary}`);
  }
  lines.push(`  ${'help'.padEnd(15)}Print help for a command`);
  lines.push(
    '',
    'Options:',
    '  -h, --help     Print help',
    '      --version  Print the version',
    '',
    "Run 'aivault help <command>' for a command's flags.",
    '',
  );
  return lines.join('\n');
}

/** Help of a group such as `secrets`: its subcommands. */
export function groupHelp(group: string): string {
  const lines = [`${COMMAND_GROUPS[group] ?? group}`, '', `Usage: aivault ${group} <subcommand> [args]`, '', 'Subcommands:'];
  const prefix = `${group} `;
  const seen = new Set<string>();
  for (const [path, spec] of Object.entries(COMMAND_SPECS)) {
    if (!path.startsWith(prefix)) continue;
    const sub = path.slice(prefix.length).split(' ')[0]!;
    if (seen.has(sub)) continue;
    seen.add(sub);
    const summary = path.slice(prefix.length).includes(' ') ? (COMMAND_GROUPS[`${group} ${sub}`] ?? '') : spec.summary;
    lines.push(`  ${sub.padEnd(15)}${summary}`);
  }
  lines.push('', `Run 'aivault help ${group} <subcommand>' for its flags.`, '');
  return lines.join('\n');
}

/** Help of one leaf command: usage line, positionals and flags. */
export function commandHelp(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`));
  const lines = [spec.summary, '', `Usage: aivault ${[spec.path, ...positionals].join(' ')} [OPTIONS]`, ''];
  if ((spec.positionals ?? []).length > 0) {
    lines.push('Arguments:');
    for (const p of spec.positionals ?? []) lines.push(`  <${p.name}>`.padEnd(34) + p.help);
    lines.push('');
  }
  lines.push('Options:');
  for (const [name, flag] of Object.entries(spec.flags)) {
    const short = flag.short === undefined ? '    ' : `-${flag.short}, `;
    const value = flag.type === 'string' ? ` <${flag.value ?? 'VALUE'}>` : '';
    const text = `  ${short}--${name}${value}`;
    lines.push(`${text.padEnd(34)}${flag.help}${flag.multiple === true ? ' [repeatable]' : ''}`);
  }
  lines.push(`${'  -h, --help'.padEnd(34)}Print help`);
  if (spec.details !== undefined) lines.push('', spec.details);
  lines.push('');
  return lines.join('\n');
}
