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

/**
 * Reads and parses the variable: unset → `vault provider misconfigured: missing env var <NAME>`;
 * set but blank → the key-text rule's `missing vault key` (§5: the variable is present, its text is not a key).
 */
export function readEnvKey(env: EnvMap, name: string): Uint8Array {
  const value = env[name];
  if (value === undefined) throw providerError(`missing env var ${name}`);
  return parseKeyText(value);
}
