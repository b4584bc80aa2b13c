/**
 * Vault root resolution and the absolute paths of one root.
 *
 * @see ../../../../shared/spec/vault.md §2.1, §2.2, §4.3
 */
import type { EnvMap } from '../ports.js';
import { resolveHomeDir } from '../home-dir.js';
import { joinPath } from '../paths.js';
import type { VaultPaths } from './types.js';

export interface ResolvedVaultRoot {
  rootDir: string;
  /** True when `AIVAULT_DIR` is unset or blank (the root is `<home>/.aivault/data/vault`). */
  canonical: boolean;
  /** `<home>/.aivault`, or `<tmpdir>/aivault-no-home` when no home is known. */
  aivaultHome: string;
}

/**
 * `AIVAULT_DIR` (trimmed) when set, else `<aivault-home>/data/vault`; home falls back to `HOME`,
 * then `USERPROFILE`, then `<tmpdir>/aivault-no-home` (never the working directory). The same
 * home rule as the socket paths (`resolveHomeDir`), so the vault and its daemon socket agree.
 *
 * @example resolveVaultRoot({ env, home, tmpdir }) // the edge passes its environment, home and temp dir
 */
export function resolveVaultRoot(input: { env: EnvMap; home: string | null | undefined; tmpdir: string }): ResolvedVaultRoot {
  // the one home rule (docs/decisions.md "Home directory"): blank counts as missing, a non-blank value is used as given
  const home = resolveHomeDir(input.home ?? undefined, input.env);
  const aivaultHome = home === undefined ? joinPath(input.tmpdir, 'aivault-no-home') : joinPath(home, '.aivault');
  const override = input.env['AIVAULT_DIR']?.trim() ?? '';
  if (override.length > 0) return { rootDir: override, canonical: false, aivaultHome };
  return { rootDir: joinPath(aivaultHome, 'data', 'vault'), canonical: true, aivaultHome };
}

/**
 * The paths of one root. Canonical roots keep the default key and the daemon socket directory
 * under `<aivault-home>`; override roots keep both inside the root.
 */
export function vaultPathsFor(rootDir: string, options: { canonical: boolean; home?: string; aivaultHome?: string }): VaultPaths {
  const aivaultHome = options.aivaultHome ?? joinPath(options.home ?? rootDir, '.aivault');
  const stateDir = joinPath(rootDir, 'state');
  return {
    rootDir,
    configPath: joinPath(rootDir, 'vault.json'),
    secretsDir: joinPath(rootDir, 'secrets'),
    auditDir: joinPath(rootDir, 'audit'),
    capabilitiesPath: joinPath(rootDir, 'capabilities.json'),
    brokerPath: joinPath(rootDir, 'broker.json'),
    migrationsPath: joinPath(rootDir, 'migrations', 'applied.json'),
    stateDir,
    rateLimitsPath: joinPath(stateDir, 'rate-limits.json'),
    runDir: options.canonical ? joinPath(aivaultHome, 'run') : joinPath(rootDir, 'run'),
    defaultKeyPath: options.canonical ? joinPath(aivaultHome, 'keys', 'kek.key') : joinPath(rootDir, 'kek.key'),
  };
}
