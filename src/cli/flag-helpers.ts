/**
 * Shared flag rules of the operator commands: required flags, scopes, secret values.
 *
 * @see ../../../shared/spec/cli.md §4
 */
import { isAbsolute, resolve } from 'node:path';
import { concatBytes, utf8Encode } from '../core/encoding.js';
import type { Scope } from '../core/vault/types.js';
import { parseEnumFlag, usageError, type ParsedArgs } from './args.js';
import type { CliContext } from './context.js';
import { inputError, osReason } from './errors.js';

/** A flag clap would mark required: missing → usage error (exit 2). */
export function requireFlag(args: ParsedArgs, name: string, helpPath: string): string {
  const value = args.string(name);
  if (value === undefined) throw usageError(`the following required arguments were not provided:\n  --${name} <${name.toUpperCase().replace(/-/g, '_')}>`, helpPath);
  return value;
}

/** Trimmed value, `undefined` when absent or blank. */
export function trimmed(args: ParsedArgs, name: string): string | undefined {
  const value = args.string(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export const SCOPE_KINDS = ['global', 'workspace', 'group'] as const;

/** `--scope` (default global) with `--workspace-id` / `--group-id` (cli.md §4). */
export function buildScope(args: ParsedArgs, helpPath: string): Scope {
  const kind = parseEnumFlag(args.string('scope') ?? 'global', 'scope', SCOPE_KINDS, helpPath);
  if (kind === 'global') return { kind: 'global' };
  const workspaceId = trimmed(args, 'workspace-id');
  if (workspaceId === undefined) throw inputError('--workspace-id is required');
  if (kind === 'workspace') return { kind: 'workspace', workspaceId };
  const groupId = trimmed(args, 'group-id');
  if (groupId === undefined) throw inputError('--group-id is required');
  return { kind: 'group', workspaceId, groupId };
}

/** Resolves a user path against the CLI's working directory. */
export function userPath(ctx: CliContext, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/**
 * The secret value: exactly one of `--value` (UTF-8, untrimmed; `-` reads stdin and drops one
 * trailing newline) or `--value-file` (raw bytes, untrimmed).
 */
export async function readSecretValue(args: ParsedArgs, ctx: CliContext): Promise<Uint8Array> {
  const value = args.string('value');
  const file = args.string('value-file');
  if (value !== undefined && file !== undefined) throw inputError('provide either --value or --value-file, not both');
  if (value === '-') return stripOneNewline(await readAll(ctx.io.stdin));
  if (value !== undefined) return utf8Encode(value);
  if (file === undefined) throw inputError('provide --value or --value-file');
  try {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(userPath(ctx, file)));
  } catch (error) {
    throw inputError(`failed to read secret value file '${file}': ${osReason(error)}`);
  }
}

/** Reads a stream to its end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? utf8Encode(chunk) : new Uint8Array(chunk));
  return concatBytes(chunks);
}

// --- internal ---

function stripOneNewline(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && end < bytes.length && bytes[end - 1] === 0x0d) end--;
  return bytes.subarray(0, end);
}
