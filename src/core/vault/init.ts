/**
 * Initialisation: the first-run directory lock, explicit `init` (Decision 3/18) and default
 * auto-initialisation with the file provider (Decision 16).
 *
 * @see ../../../../shared/spec/vault.md §4.3-§4.5; spec/README.md Decisions 3, 16, 18
 */
import { match } from 'ts-pattern';
import { isBrokerError } from '../broker-error.js';
import { wipe } from '../encoding.js';
import { joinPath } from '../paths.js';
import type { InitProvider, KeyProviderConfig } from './types.js';
import type { VaultContext } from './_context.js';
import { auditVault } from './_audit-events.js';
import { readConfig, writeConfig, type VaultConfig } from './config.js';
import { kekIdOf } from './kek.js';
import { DEFAULT_ENV_VAR, readEnvKey } from './providers/env.js';
import { initKeyFile } from './providers/file.js';
import { keychainUnavailable } from './providers/macos-keychain.js';
import { createPassphraseProvider, deriveKek, verifyPassphraseKek } from './providers/passphrase.js';
import { alreadyInitialised, ioError, vaultFailure } from './vault-errors.js';

export const INIT_LOCK_STALE_MS = 30_000;
export const INIT_LOCK_TIMEOUT_MS = 3_000;
export const INIT_LOCK_RETRY_MS = 25;

/** What auto-initialisation and `init` without a provider use: `file` at the default key path. */
export function defaultInitProvider(ctx: VaultContext): InitProvider {
  return { type: 'file', path: ctx.paths.defaultKeyPath };
}

/**
 * Creates the vault with `provider` unless `vault.json` exists (then checks the request against
 * it). Returns true when this call created the vault.
 */
export async function initVault(ctx: VaultContext, provider: InitProvider | undefined): Promise<boolean> {
  const existing = await readConfig(ctx);
  if (existing !== null) {
    await checkRequestedProvider(ctx, existing, provider);
    return false;
  }
  const created = await withInitLock(ctx, () => createVaultFiles(ctx, provider ?? defaultInitProvider(ctx)));
  if (!created) {
    const config = await readConfig(ctx);
    if (config !== null) await checkRequestedProvider(ctx, config, provider);
  }
  return created;
}

// --- internal ---

async function exists(ctx: VaultContext, path: string): Promise<boolean> {
  return ctx.fs.stat(path).then(
    () => true,
    () => false,
  );
}

/** §4.4: `mkdir <root>/.init-lock`; stale after 30 s; give up after 3 s unless `vault.json` appeared. */
async function withInitLock(ctx: VaultContext, create: () => Promise<void>): Promise<boolean> {
  const { fs, paths, clock } = ctx;
  try {
    await fs.mkdir(paths.rootDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw ioError(error);
  }
  await fs.chmod(paths.rootDir, 0o700).catch(() => undefined);
  const lockDir = joinPath(paths.rootDir, '.init-lock');
  const deadline = clock.now() + INIT_LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw ioError(error);
    }
    if (await exists(ctx, paths.configPath)) return false;
    const lock = await fs.stat(lockDir).catch(() => null);
    if (lock !== null && clock.now() - lock.mtimeMs > INIT_LOCK_STALE_MS) {
      await fs.rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
      continue;
    }
    if (clock.now() >= deadline) throw vaultFailure('vault init lock held too long');
    await ctx.sleep(INIT_LOCK_RETRY_MS);
  }
  try {
    await fs.writeFile(joinPath(lockDir, 'info.txt'), `pid=${ctx.pid}\nts_ms=${clock.now()}\n`).catch(() => undefined);
    if (await exists(ctx, paths.configPath)) return false;
    await create();
    return true;
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Creates `secrets/` (0700) and `audit/`, sets up the provider, writes `vault.json`, audits `vault.init`. */
async function createVaultFiles(ctx: VaultContext, request: InitProvider): Promise<void> {
  try {
    await ctx.fs.mkdir(ctx.paths.secretsDir, { recursive: true, mode: 0o700 });
    await ctx.fs.chmod(ctx.paths.secretsDir, 0o700);
    await ctx.fs.mkdir(ctx.paths.auditDir, { recursive: true });
  } catch (error) {
    throw ioError(error);
  }
  const { provider, kek } = await setUpProvider(ctx, request);
  try {
    const kekId = await kekIdOf(ctx.crypto, kek);
    const now = ctx.clock.now();
    const config: VaultConfig = { version: 1, createdAtMs: now, updatedAtMs: now, provider, kekId };
    try {
      await writeConfig(ctx, config);
    } catch (error) {
      throw isBrokerError(error) ? error : ioError(error);
    }
    if (provider.type === 'passphrase') ctx.keys.remember(kek, kekId);
    await auditVault(ctx, 'vault.init', provider.type === 'passphrase' ? 'passphrase' : undefined);
  } finally {
    wipe(kek);
  }
}

async function setUpProvider(ctx: VaultContext, request: InitProvider): Promise<{ provider: KeyProviderConfig; kek: Uint8Array }> {
  return match(request)
    .with({ type: 'file' }, async (r) => {
      const path = r.path ?? joinPath(ctx.paths.rootDir, 'kek.key');
      try {
        return { provider: { type: 'file' as const, path }, kek: await initKeyFile(ctx, path) };
      } catch (error) {
        throw isBrokerError(error) ? error : ioError(error);
      }
    })
    .with({ type: 'env' }, async (r) => {
      const envVar = r.envVar ?? DEFAULT_ENV_VAR;
      return { provider: { type: 'env' as const, env_var: envVar }, kek: readEnvKey(ctx.env, envVar) };
    })
    .with({ type: 'passphrase' }, (r) => createPassphraseProvider(ctx.crypto, r.passphrase, ctx.kdf))
    .with({ type: 'macos_keychain' }, () => Promise.reject(keychainUnavailable()))
    .exhaustive();
}

/** Decision 18: a different type or an explicitly different parameter fails; a passphrase is verified. */
async function checkRequestedProvider(ctx: VaultContext, config: VaultConfig, request: InitProvider | undefined): Promise<void> {
  if (request === undefined) return;
  const current = config.provider;
  const differs = match(request)
    .with({ type: 'file' }, (r) => current.type !== 'file' || (r.path !== undefined && r.path !== current.path))
    .with({ type: 'env' }, (r) => current.type !== 'env' || (r.envVar !== undefined && r.envVar !== current.env_var))
    .with({ type: 'passphrase' }, () => current.type !== 'passphrase')
    .with(
      { type: 'macos_keychain' },
      (r) =>
        current.type !== 'macos_keychain' ||
        (r.service !== undefined && r.service !== current.service) ||
        (r.account !== undefined && r.account !== current.account),
    )
    .exhaustive();
  if (differs) throw alreadyInitialised(current.type);
  if (request.type === 'passphrase' && current.type === 'passphrase') {
    const kek = await deriveKek(request.passphrase, current.kdf);
    try {
      await verifyPassphraseKek(ctx.crypto, current, kek);
      ctx.keys.remember(kek, config.kekId);
    } finally {
      wipe(kek);
    }
  }
}
