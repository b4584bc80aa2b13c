/**
 * `aivault secrets …`: list, create, update, rotate, delete, attach-group, detach-group, import.
 *
 * @see ../../../../shared/spec/cli.md §4
 */
import { wipe } from '../../core/encoding.js';
import { isBrokerError } from '../../core/broker-error.js';
import type { Scope, SecretMetadata } from '../../core/vault/types.js';
import { parseEnumFlag } from '../args.js';
import { inputError } from '../errors.js';
import { buildScope, readSecretValue, requireFlag, SCOPE_KINDS, trimmed } from '../flag-helpers.js';
import { metadataJson, renderSecretsList } from '../format/secrets.js';
import type { CommandHandler } from '../run-aivault.js';
import { openVault, provisionSecret } from '../wiring.js';
import { utf8Encode } from '../../core/encoding.js';

export const SECRETS_COMMANDS: Record<string, CommandHandler> = {
  async list(args, ctx) {
    const filter = listFilter(args.string('scope'), trimmed(args, 'workspace-id'), trimmed(args, 'group-id'));
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    const secrets = (await vault.listSecrets()).filter((s) => filter(s.scope));
    if (args.flag('verbose')) await ctx.json(secrets.map(metadataJson));
    else await ctx.out(renderSecretsList(secrets, ctx.colors));
  },

  async create(args, ctx) {
    const name = requireFlag(args, 'name', 'secrets create');
    const scope = buildScope(args, 'secrets create');
    const value = await readSecretValue(args, ctx);
    const vault = await openVault(ctx, { preamble: true, needsKey: true });
    try {
      const created = await vault.createSecret({ name, value, scope, aliases: args.strings('alias') });
      await provisionSecret(ctx, vault, created, 'create');
      await ctx.json(metadataJson(await vault.getSecret(created.secretId)));
    } finally {
      wipe(value);
    }
  },

  async update(args, ctx) {
    const id = requireFlag(args, 'id', 'secrets update');
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    const aliases = args.flag('clear-aliases') ? [] : args.strings('alias').length > 0 ? args.strings('alias') : undefined;
    const name = args.string('name');
    const patch = { ...(name === undefined ? {} : { name }), ...(aliases === undefined ? {} : { aliases }) };
    await ctx.json(metadataJson(await vault.updateSecret(id, patch, { operator: true })));
  },

  async rotate(args, ctx) {
    const id = requireFlag(args, 'id', 'secrets rotate');
    const value = await readSecretValue(args, ctx);
    try {
      const vault = await openVault(ctx, { preamble: true, needsKey: true });
      await ctx.json(metadataJson(await vault.rotateSecret(id, value, { operator: true })));
    } finally {
      wipe(value);
    }
  },

  async delete(args, ctx) {
    const id = requireFlag(args, 'id', 'secrets delete');
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    await ctx.json(metadataJson(await vault.revokeSecret(id, { operator: true })));
  },

  async 'attach-group'(args, ctx) {
    const [id, ws, group] = groupFlags(args, 'secrets attach-group');
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    await ctx.json(metadataJson(await vault.attachGroup(id, ws, group)));
  },

  async 'detach-group'(args, ctx) {
    const [id, ws, group] = groupFlags(args, 'secrets detach-group');
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    await ctx.json(metadataJson(await vault.detachGroup(id, ws, group)));
  },

  async import(args, ctx) {
    const scope = buildScope(args, 'secrets import');
    const entries = parseEntries(args.strings('entry'));
    const vault = await openVault(ctx, { preamble: true, needsKey: true });
    const existing = await vault.listSecrets();
    const result = { created: [] as string[], rotated: [] as string[], skipped: [] as string[] };
    for (const [key, value] of entries) {
      if (value.trim() === '') {
        result.skipped.push(key);
        continue;
      }
      const bytes = utf8Encode(value);
      try {
        const match = existing.find((s) => s.name === key && s.revokedAtMs === null && sameScope(s.scope, scope));
        let meta: SecretMetadata;
        if (match !== undefined) {
          if (match.systemManaged) {
            result.skipped.push(key);
            continue;
          }
          meta = await vault.rotateSecret(match.secretId, bytes, { operator: true });
          result.rotated.push(key);
        } else {
          meta = await vault.createSecret({ name: key, value: bytes, scope });
          result.created.push(key);
        }
        try {
          await provisionSecret(ctx, vault, meta, 'import');
        } catch {
          // best effort (registry.md §7.4)
        }
      } catch (error) {
        if (!isBrokerError(error)) throw error;
        result.skipped.push(key);
      } finally {
        wipe(bytes);
      }
    }
    await ctx.json(result);
  },
};

// --- internal ---

function groupFlags(args: Parameters<CommandHandler>[0], path: string): [string, string, string] {
  return [requireFlag(args, 'id', path), requireFlag(args, 'workspace-id', path), requireFlag(args, 'group-id', path)];
}

/** `secrets list` filter: only with `--scope`; a missing id matches nothing (cli.md §4.1). */
function listFilter(scope: string | undefined, ws: string | undefined, group: string | undefined): (s: Scope) => boolean {
  if (scope === undefined) return () => true;
  const kind = parseEnumFlag(scope, 'scope', SCOPE_KINDS, 'secrets list');
  if (kind === 'global') return (s) => s.kind === 'global';
  if (kind === 'workspace') return (s) => s.kind === 'workspace' && ws !== undefined && s.workspaceId === ws;
  return (s) => s.kind === 'group' && ws !== undefined && group !== undefined && s.workspaceId === ws && s.groupId === group;
}

function sameScope(a: Scope, b: Scope): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'global') return true;
  if (a.kind === 'workspace') return b.kind === 'workspace' && a.workspaceId === b.workspaceId;
  return b.kind === 'group' && a.workspaceId === b.workspaceId && a.groupId === b.groupId;
}

/** Split at the first `=`; key trimmed and non-blank; duplicates: last wins; ascending key order. */
function parseEntries(raw: readonly string[]): Array<[string, string]> {
  const map = new Map<string, string>();
  for (const entry of raw) {
    const at = entry.indexOf('=');
    if (at < 0) throw inputError(`invalid --entry '${entry}'; expected KEY=VALUE`);
    const key = entry.slice(0, at).trim();
    if (key === '') throw inputError('entry key cannot be empty');
    map.set(key, entry.slice(at + 1));
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
