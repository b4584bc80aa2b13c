/**
 * `aivault capability list | describe | create | delete | policy set | bind | unbind | bindings`
 * over the registry engineer's operator API (invocation lives in `invoke.ts`).
 *
 * @see ../../../../shared/spec/cli.md §6
 */
import {
  bindCapability,
  createCapability,
  deleteCapability,
  describeCapability,
  listBindings,
  listCapabilities,
  setCapabilityPolicy,
  unbindCapability,
} from '../../core/runtime/operator/index.js';
import type { BindingScopeInput } from '../../core/registry/bindings-store.js';
import { parseIntegerFlag, type ParsedArgs } from '../args.js';
import { buildScope, requireFlag } from '../flag-helpers.js';
import { renderBindings, renderCapabilityList } from '../format/operator.js';
import type { CommandHandler } from '../run-aivault.js';
import { operatorDeps } from '../wiring.js';

export const CAPABILITY_COMMANDS: Record<string, CommandHandler> = {
  async list(args, ctx) {
    const listing = await listCapabilities(await operatorDeps(ctx));
    if (args.flag('verbose')) {
      await ctx.json({ capabilities: listing.ready, registryCapabilities: listing.available, policies: listing.policies, path: listing.path });
    } else {
      await ctx.out(renderCapabilityList(listing, ctx.colors));
    }
  },

  async describe(args, ctx) {
    await ctx.json(await describeCapability(await operatorDeps(ctx), args.positionals[0]!));
  },

  async create(args, ctx) {
    const provider = args.string('provider');
    const credential = args.string('credential');
    await ctx.json(
      await createCapability(await operatorDeps(ctx), {
        id: args.positionals[0]!,
        ...(provider === undefined ? {} : { provider }),
        ...(credential === undefined ? {} : { credential }),
        methods: args.strings('method'),
        pathPrefixes: args.strings('path'),
        hosts: args.strings('host'),
      }),
    );
  },

  async delete(args, ctx) {
    await ctx.json(await deleteCapability(await operatorDeps(ctx), args.positionals[0]!));
  },

  async 'policy set'(args, ctx) {
    const n = (name: string, kind: 'u32' | 'usize') => {
      const raw = args.string(name);
      return raw === undefined ? null : parseIntegerFlag(raw, name, kind, 'capability policy set');
    };
    const input = {
      capability: requireFlag(args, 'capability', 'capability policy set'),
      rateLimitPerMinute: n('rate-limit-per-minute', 'u32'),
      maxRequestBodyBytes: n('max-request-body-bytes', 'usize'),
      maxResponseBodyBytes: n('max-response-body-bytes', 'usize'),
      responseBodyBlocklist: args.strings('response-block'),
    };
    await ctx.json(await setCapabilityPolicy(await operatorDeps(ctx), input));
  },

  async bind(args, ctx) {
    const capability = requireFlag(args, 'capability', 'capability bind');
    const secretRef = requireFlag(args, 'secret-ref', 'capability bind');
    const scope = bindingScope(args, 'capability bind');
    const consumer = args.string('consumer');
    await ctx.json(await bindCapability(await operatorDeps(ctx), { capability, secretRef, ...scope, consumer: consumer ?? null }));
  },

  async unbind(args, ctx) {
    const capability = requireFlag(args, 'capability', 'capability unbind');
    const scope = bindingScope(args, 'capability unbind');
    await ctx.json(await unbindCapability(await operatorDeps(ctx), { capability, ...scope, consumer: args.string('consumer') ?? null }));
  },

  async bindings(args, ctx) {
    const scope = args.has('scope') ? bindingScope(args, 'capability bindings') : null;
    const bindings = await listBindings(await operatorDeps(ctx), {
      capability: args.string('capability') ?? null,
      scope,
      consumer: args.string('consumer') ?? null,
    });
    if (args.flag('verbose')) await ctx.json(bindings);
    else await ctx.out(renderBindings(bindings, ctx.colors));
  },
};

// --- internal ---

/** The binding scope with the flag rules (and messages) of cli.md §4. */
function bindingScope(args: ParsedArgs, helpPath: string): BindingScopeInput {
  const scope = buildScope(args, helpPath);
  if (scope.kind === 'global') return { scope: 'global' };
  if (scope.kind === 'workspace') return { scope: 'workspace', workspaceId: scope.workspaceId };
  return { scope: 'group', workspaceId: scope.workspaceId, groupId: scope.groupId };
}
