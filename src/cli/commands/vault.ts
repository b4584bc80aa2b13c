/**
 * Vault lifecycle commands: `status`, `init`, `rotate-master`, `audit`.
 *
 * @see ../../../../shared/spec/cli.md §3
 */
import { parseEnumFlag, parseIntegerFlag } from '../args.js';
import type { InitProvider, VaultStatus } from '../../core/vault/types.js';
import { alreadyInitialised } from '../../core/vault/vault-errors.js';
import type { CommandHandler } from '../run-aivault.js';
import { inputError } from '../errors.js';
import { userPath } from '../flag-helpers.js';
import { renderStatus, statusJson } from '../format/status.js';
import { connectSocket, openVault, sockets } from '../wiring.js';

const INIT_PROVIDERS = ['macos-keychain', 'env', 'file', 'passphrase'] as const;

export const VAULT_COMMANDS: Record<string, CommandHandler> = {
  async status(args, ctx) {
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    let status = await vault.status();
    if (status.providerType === 'passphrase') status = { ...status, locked: await daemonLocked(ctx, status.locked) };
    if (args.flag('verbose')) {
      const p = vault.paths;
      const paths = { rootDir: p.rootDir, configPath: p.configPath, secretsDir: p.secretsDir, auditDir: p.auditDir, capabilitiesPath: p.capabilitiesPath };
      await ctx.json({ status: statusJson(status), paths });
      return;
    }
    await ctx.out(renderStatus(status, vault.paths.rootDir, ctx.colors));
  },

  async init(args, ctx) {
    const vault = await openVault(ctx, { preamble: false, needsKey: false });
    const raw = args.string('provider');
    let provider: InitProvider | undefined;
    if (raw !== undefined) {
      const kind = parseEnumFlag(raw, 'provider', INIT_PROVIDERS, 'init');
      // another provider than the existing vault's fails with the rotate-master pointer before any passphrase prompt
      const current = (await vault.status()).providerType;
      if (kind === 'passphrase' && current !== null && current !== 'passphrase') throw alreadyInitialised(current);
      provider = await initProvider(kind, args, ctx);
    } else if (args.has('file-path')) {
      provider = filePathProvider(args, ctx);
    }
    await ctx.json(statusJson(await vault.init(provider)));
  },

  async 'rotate-master'(args, ctx) {
    const vault = await openVault(ctx, { preamble: true, needsKey: true });
    const newKey = args.string('new-key');
    const newPassphrase = args.string('new-passphrase');
    const status = await vault.rotateMaster({ ...(newKey === undefined ? {} : { newKey }), ...(newPassphrase === undefined ? {} : { newPassphrase }) });
    await ctx.json(statusJson(status));
  },

  async audit(args, ctx) {
    const limitRaw = args.string('limit');
    const beforeRaw = args.string('before-ts-ms');
    const limit = limitRaw === undefined ? 200 : parseIntegerFlag(limitRaw, 'limit', 'usize', 'audit');
    const before = beforeRaw === undefined ? 0 : parseIntegerFlag(beforeRaw, 'before-ts-ms', 'i64', 'audit');
    const vault = await openVault(ctx, { preamble: true, needsKey: false });
    await ctx.json(await vault.readAudit(limit, before > 0 ? before : undefined));
  },
};

// --- internal ---

/** `--file-path` is stored absolute (vault.md §4.1): a relative one is resolved against the cwd. */
function filePathProvider(args: Parameters<CommandHandler>[0], ctx: Parameters<CommandHandler>[1]): InitProvider {
  const path = args.string('file-path');
  return { type: 'file', ...(path === undefined ? {} : { path: userPath(ctx, path) }) };
}

async function initProvider(kind: (typeof INIT_PROVIDERS)[number], args: Parameters<CommandHandler>[0], ctx: Parameters<CommandHandler>[1]): Promise<InitProvider> {
  switch (kind) {
    case 'file':
      return filePathProvider(args, ctx);
    case 'env':
      return { type: 'env', ...(args.has('env-var') ? { envVar: args.string('env-var')! } : {}) };
    case 'macos-keychain':
      return {
        type: 'macos_keychain',
        ...(args.has('keychain-service') ? { service: args.string('keychain-service')! } : {}),
        ...(args.has('keychain-account') ? { account: args.string('keychain-account')! } : {}),
      };
    case 'passphrase': {
      const { passphraseFrom } = await import('../passphrase.js');
      const passphrase = await passphraseFrom(ctx, args.string('passphrase'), {
        required: true,
        requiredMessage: '--passphrase is required for --provider passphrase',
      });
      if (passphrase === undefined || passphrase === '') throw inputError('--passphrase is required for --provider passphrase');
      return { type: 'passphrase', passphrase };
    }
  }
}

/** Decision 16: when a daemon answers, its lock state wins. */
async function daemonLocked(ctx: Parameters<CommandHandler>[1], local: boolean): Promise<boolean> {
  const choice = sockets(ctx);
  try {
    const client = await connectSocket(choice.explicit ?? choice.user);
    try {
      return (await client.status()).locked;
    } finally {
      await client.close();
    }
  } catch {
    return local;
  }
}

export type { VaultStatus };
