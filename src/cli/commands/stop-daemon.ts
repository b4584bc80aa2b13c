/**
 * Stopping the daemon that serves one socket, for `aivault restart`: the pid file beside the
 * socket when the daemon wrote one (only that pid is signalled), else the original's
 * `pkill -f "aivaultd --socket <socket>"`.
 *
 * @see ../../../../shared/spec/daemon.md §7 step 2
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { daemonError } from '../errors.js';

/** Candidate pid-file names next to the socket. */
export function pidFilesFor(socket: string): string[] {
  return [`${socket}.pid`, `${socket.replace(/\.sock$/, '')}.pid`];
}

export async function stopDaemon(socket: string): Promise<void> {
  for (const file of pidFilesFor(socket)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const pid = Number(text.trim());
    if (!Number.isSafeInteger(pid) || pid <= 1) continue;
    if (await signalAndWait(pid)) return;
  }
  await pkill(socket);
}

// --- internal ---

/** SIGTERM then wait (bounded) for the pid to disappear; `false` when no such process. */
async function signalAndWait(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

function pkill(socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('pkill', ['-f', `aivaultd(\\.js)? --socket ${escapeRegex(socket)}( |$)`], (error) => {
      if (error === null) return resolve();
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 1) return resolve();
      reject(daemonError(`failed stopping existing aivaultd for '${socket}': exit ${String(code)}`));
    });
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
