/**
 * The `env` key provider: the KEK text in an environment variable (default `AIVAULT_KEY`),
 * read from the injected env map on every key access; nothing on disk.
 *
 * @see ../../../../../shared/spec/vault.md §5.2
 */
import type { EnvMap } from '../../ports.js';
import { parseKeyText } from '../kek.js';
import { providerError } from '../vault-errors.js';

/** @default 'AIVAULT_KEY' */
export const DEFAULT_ENV_VAR = 'AIVAULT_KEY';

/** Reads and parses the variable (`vault provider misconfigured: missing env var <NAME>`). */
export function readEnvKey(env: EnvMap, name: string): Uint8Array {
  const value = env[name];
  if (value === undefined || value.trim().length === 0) throw providerError(`missing env var ${name}`);
  return parseKeyText(value);
}
