/**
 * `oauth setup` and `provider …` (Decision 17: the official plugin catalogue is empty for now).
 *
 * @see ../../../../shared/spec/cli.md §9, §10
 */
import { inputError } from '../errors.js';
import { requireFlag } from '../flag-helpers.js';
import type { CommandHandler } from '../run-aivault.js';
import { listProviders, oauthSetup } from '../../core/runtime/operator/index.js';
import { openVault } from '../wiring.js';

export const MISC_COMMANDS: Record<string, CommandHandler> = {
  async 'oauth setup'(args, ctx) {
    // The four flags are required (missing → usage error, before the preamble, as clap parses); blank → exit 1.
    const required = (name: string) => requireFlag(args, name, 'oauth setup');
    const [provider, authUrl, clientId, redirectUri] = [required('provider'), required('auth-url'), required('client-id'), required('redirect-uri')];
    await openVault(ctx, { preamble: true, needsKey: false });
    await ctx.json(
      oauthSetup({
        provider,
        authUrl,
        clientId,
        redirectUri,
        scopes: args.strings('scope'),
        state: args.string('state') ?? null,
      }),
    );
  },

  async 'provider list'(args, ctx) {
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    const out: Record<string, unknown> = { ...listProviders() };
    if (args.flag('verbose')) out['path'] = `${vault.paths.rootDir}/providers`;
    await ctx.json(out);
  },

  'provider install': async (args, ctx) => {
    await openVault(ctx, { preamble: true, needsKey: false });
    throw inputError(`unknown official provider '${args.positionals[0]!.trim()}' (this build ships no provider plugins)`);
  },
  'provider enable': async (args, ctx) => notInstalled(args.positionals[0]!, ctx),
  'provider disable': async (args, ctx) => notInstalled(args.positionals[0]!, ctx),
  'provider remove': async (args, ctx) => {
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    const id = args.positionals[0]!.trim();
    const { rm, stat } = await import('node:fs/promises');
    const dir = `${vault.paths.rootDir}/providers/${id}`;
    if (id === '' || id.includes('/') || id.startsWith('.')) throw inputError(`provider '${id}' is not installed`);
    const present = await stat(dir).then(() => true, () => false);
    if (present) await rm(dir, { recursive: true, force: true });
    await ctx.json({ removed: present, id });
  },
};

// --- internal ---

async function notInstalled(raw: string, ctx: Parameters<CommandHandler>[1]): Promise<never> {
  await openVault(ctx, { preamble: true, needsKey: false });
  throw inputError(`provider '${raw.trim()}' is not installed`);
}
