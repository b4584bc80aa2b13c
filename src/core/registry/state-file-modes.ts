/**
 * Modes of the operator state files `broker.json` and `capabilities.json` (security.md §11,
 * vault.md §2.3): file 0600 and parent (the vault root) 0700, enforced on save (a failure aborts
 * the save) and re-applied best effort whenever the file is read from disk.
 *
 * @see ../../../../shared/spec/security.md §11
 */
import { dirname } from '../paths.js';
import type { FsPort } from '../ports.js';

export const STATE_FILE_MODE = 0o600;
export const STATE_DIR_MODE = 0o700;

/** Save: creates the parent when missing and forces it to 0700; errors propagate. */
export async function prepareStateDir(fs: Pick<FsPort, 'mkdir' | 'chmod'>, path: string): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
  await fs.chmod(dir, STATE_DIR_MODE);
}

/**
 * Load: re-applies 0600 / 0700 where they differ (a stat each, a chmod only when needed, so a
 * directory watcher sees no attribute change in the steady state). Failures are ignored.
 */
export async function reapplyStateModes(fs: Pick<FsPort, 'stat' | 'chmod'>, path: string): Promise<void> {
  const fix = async (target: string, mode: number): Promise<void> => {
    try {
      if (((await fs.stat(target)).mode & 0o777) !== mode) await fs.chmod(target, mode);
    } catch {
      // best effort (vault.md §2.3): another owner, a read-only mount
    }
  };
  await Promise.all([fix(path, STATE_FILE_MODE), fix(dirname(path), STATE_DIR_MODE)]);
}
