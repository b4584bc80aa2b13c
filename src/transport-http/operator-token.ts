/**
 * The operator bearer of the HTTP transport (Decision 15): `<run dir>/operator.token`, 32 random
 * bytes as 64 lower-case hex digits (never the `avp_` shape of a proxy token), file 0600 in a
 * 0700 directory. An existing valid token is kept, so operator scripts that read the file keep
 * working across restarts; a file another user could read, a symlink or malformed content is
 * replaced by a fresh token.
 *
 * @see ../../../shared/spec/transports.md §2, vault.md §2.2, spec/README.md Decision 15
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BrokerError, knownOsErrorText } from '../core/index.js';

export const OPERATOR_TOKEN_FILE = 'operator.token';

const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/** The run directory of a vault root (daemon.md §1): `$AIVAULT_DIR/run`, else `<aivault root>/run`. */
export function operatorTokenPath(runDir: string): string {
  return join(runDir, OPERATOR_TOKEN_FILE);
}

/**
 * Returns the operator token kept in `runDir`, creating the directory (0700) and the token file
 * (0600, written to a temporary sibling and renamed) when missing or unusable.
 *
 * @example const token = await ensureOperatorToken(join(home, '.aivault', 'run'));
 */
export async function ensureOperatorToken(runDir: string): Promise<{ token: string; path: string; created: boolean }> {
  const path = operatorTokenPath(runDir);
  await mkdir(runDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw ioError(`failed creating '${runDir}'`, error);
  });
  await chmod(runDir, 0o700).catch(() => {});
  const existing = await readUsable(path);
  if (existing !== undefined) return { token: existing, path, created: false };
  const token = randomBytes(32).toString('hex');
  const temporary = `${path}.tmp.${process.pid}.${randomUUID()}`;
  try {
    await writeFile(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw ioError(`failed writing operator token '${path}'`, error);
  }
  return { token, path, created: true };
}

// --- internal ---

/** The token when the file is a regular file only its owner can read and holds a well-formed token. */
async function readUsable(path: string): Promise<string | undefined> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined || !stats.isFile() || (stats.mode & 0o077) !== 0) return undefined;
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return undefined;
  const text = (await readFile(path, 'utf8').catch(() => '')).trim();
  return TOKEN_SHAPE.test(text) ? text : undefined;
}

function ioError(what: string, error: unknown): BrokerError {
  return new BrokerError({ code: 'daemon_error', message: `${what}: ${knownOsErrorText(error) ?? 'io error'}`, cause: error });
}
