/**
 * The operator bearer of the HTTP transport (Decision 15): `<run dir>/operator.token`, 32 random
 * bytes as 64 lower-case hex digits (never the `avp_` shape of a proxy token), file 0600 (its
 * directory 0700 when created here). An existing valid token is kept, so operator scripts that read the file keep
 * working across restarts; a file another user could read, a symlink or malformed content is
 * replaced by a fresh token. There is no rotation command: delete the file and restart the daemon.
 *
 * @see ../../../shared/spec/transports.md §2, vault.md §2.2, spec/README.md Decision 15
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, lstat, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
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
  const made = await mkdir(runDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw ioError(`failed creating '${runDir}'`, error);
  });
  // Only a directory made here is tightened: an existing one is also the socket's, whose mode the
  // operator may have chosen (AIVAULTD_SOCKET_DIR_MODE); the token file's own 0600 protects it.
  if (made !== undefined) await chmod(runDir, 0o700).catch(() => {});
  const existing = await readUsable(path);
  if (existing !== undefined) return { token: existing, path, created: false };
  const token = randomBytes(32).toString('hex');
  const temporary = `${path}.tmp.${process.pid}.${randomUUID()}`;
  try {
    await writeFile(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await place(temporary, path);
  } catch (error) {
    throw ioError(`failed writing operator token '${path}'`, error);
  } finally {
    await rm(temporary, { force: true });
  }
  // Starts racing here each placed a token; the one on disk is what operators read, so all use it.
  const kept = await readUsable(path);
  if (kept === undefined) throw new BrokerError({ code: 'daemon_error', message: `operator token '${path}' was replaced while it was being written` });
  return { token: kept, path, created: kept === token };
}

// --- internal ---

/**
 * A missing token is linked into place, which fails rather than overwrite one another start
 * created meanwhile; an unusable file (foreign owner, loose mode, symlink, malformed) is replaced.
 */
async function place(temporary: string, path: string): Promise<void> {
  const present = await lstat(path).then(() => true, () => false);
  if (present) return rename(temporary, path);
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  }
}

/**
 * The token when the file is a regular file only its owner can read and holds a well-formed
 * token. Opened without following a symlink (and without blocking on a FIFO), then checked on
 * the open descriptor, so what is checked is what is read.
 */
async function readUsable(path: string): Promise<string | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || (stats.mode & 0o077) !== 0) return undefined;
    if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return undefined;
    const text = (await handle.readFile('utf8').catch(() => '')).trim();
    return TOKEN_SHAPE.test(text) ? text : undefined;
  } finally {
    await handle.close();
  }
}

function ioError(what: string, error: unknown): BrokerError {
  return new BrokerError({ code: 'daemon_error', message: `${what}: ${knownOsErrorText(error) ?? 'io error'}`, cause: error });
}
