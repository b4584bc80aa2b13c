/**
 * Argument parsing for `aivault` / `aivaultd`: long flags as `--flag value` or `--flag=value`,
 * repeatable flags collected in order, a non-repeatable flag given twice is a usage error, the only
 * short flags are `-h` and (where listed) `-v`. Every failure is a `usage` BrokerError (exit 2).
 *
 * @see ../../../shared/spec/cli.md §1.2
 */
import { BrokerError } from '../core/broker-error.js';

export interface FlagSpec {
  /** `string` flags take a value; `boolean` flags take none. */
  type: 'string' | 'boolean';
  /** Repeatable: one value per occurrence, in order. */
  multiple?: boolean;
  /** `-v` alias (only `verbose` uses it). */
  short?: 'v';
  /** Placeholder shown in help (`--name <NAME>`). */
  value?: string;
  help: string;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  help: string;
}

export interface CommandSpec {
  /** Full command path, e.g. `secrets create`. */
  path: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  positionals?: PositionalSpec[];
  /** Extra help paragraph. */
  details?: string;
}

/** The parsed command line of one command. */
export interface ParsedArgs {
  readonly help: boolean;
  readonly positionals: readonly string[];
  string(name: string): string | undefined;
  strings(name: string): string[];
  flag(name: string): boolean;
  has(name: string): boolean;
}

/** A usage error (exit 2) with the hint that points at help. */
export function usageError(message: string, helpPath?: string): BrokerError {
  if (helpPath === 'aivaultd') return daemonUsage(message);
  const hint = helpPath === undefined ? "Run 'aivault help' for the list of commands." : `Run 'aivault help ${helpPath}' for usage.`;
  return new BrokerError({ code: 'usage', message: `error: ${message}\n\n${hint}` });
}

/**
 * Parses `argv` (everything after the command path) against `spec`.
 *
 * @example parseArgs(['--name', 'X', '--alias=a', '--alias', 'b'], spec)
 */
export function parseArgs(argv: readonly string[], spec: CommandSpec, bin = 'aivault'): ParsedArgs {
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  const fail = (message: string): BrokerError => (bin === 'aivault' ? usageError(message, spec.path) : daemonUsage(message));

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const short = Object.entries(spec.flags).find(([, f]) => f.short !== undefined && `-${f.short}` === arg);
      if (short === undefined) throw fail(`unexpected argument '${arg}'`);
      name = short[0];
    }
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (flag === undefined) throw fail(`unexpected argument '--${name}'${suggest(name, Object.keys(spec.flags))}`);
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw fail(`flag '--${name}' takes no value`);
      if (booleans.has(name)) throw fail(`the argument '--${name}' cannot be used multiple times`);
      booleans.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw fail(`a value is required for '--${name} <${flag.value ?? 'VALUE'}>' but none was supplied`);
      value = argv[++i]!;
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && flag.multiple !== true) throw fail(`the argument '--${name}' cannot be used multiple times`);
    list.push(value);
    values.set(name, list);
  }

  if (!help) {
    const specs = spec.positionals ?? [];
    if (positionals.length > specs.length) throw fail(`unexpected argument '${positionals[specs.length]!}'`);
    for (let i = positionals.length; i < specs.length; i++) {
      if (specs[i]!.required) throw fail(`the required argument <${specs[i]!.name}> was not provided`);
    }
  }

  return {
    help,
    positionals,
    string: (name) => values.get(name)?.[0],
    strings: (name) => [...(values.get(name) ?? [])],
    flag: (name) => booleans.has(name),
    has: (name) => values.has(name) || booleans.has(name),
  };
}

/** Parses an unsigned/signed integer flag value; non-numeric input is a usage error. */
export function parseIntegerFlag(raw: string, flagName: string, kind: 'u32' | 'u64' | 'usize' | 'i64', helpPath: string): number {
  const ok = kind === 'i64' ? /^-?\d+$/.test(raw) : /^\d+$/.test(raw);
  const value = ok ? Number(raw) : NaN;
  const max = kind === 'u32' ? 0xffff_ffff : Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value > max) {
    throw usageError(`invalid value '${raw}' for '--${flagName}': expected ${kind === 'i64' ? 'an integer' : 'a non-negative integer'}`, helpPath);
  }
  return value;
}

/** Checks an enumerated flag value (exact, lower-case, no folding). */
export function parseEnumFlag<T extends string>(raw: string, flagName: string, allowed: readonly T[], helpPath: string): T {
  const found = allowed.find((a) => a === raw);
  if (found === undefined) {
    throw usageError(`invalid value '${raw}' for '--${flagName}'\n  [possible values: ${allowed.join(', ')}]`, helpPath);
  }
  return found;
}

/** ` (did you mean '--x'?)` when a close name exists. */
export function suggest(name: string, candidates: readonly string[], prefix = '--'): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `\n\n  tip: a similar argument exists: '${prefix}${best}'`;
}

// --- internal ---

function daemonUsage(message: string): BrokerError {
  return new BrokerError({ code: 'usage', message: `error: ${message}\n\nRun 'aivaultd --help' for usage.` });
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
