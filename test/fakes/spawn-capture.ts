// Runs a child process to completion and captures its exit code and output (for tests that
// drive the built binaries).
import { spawn } from 'node:child_process';

export interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnCapture(command: string, args: string[], options: { env: Record<string, string>; cwd?: string; stdin?: string }): Promise<Captured> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: options.env, stdio: 'pipe', ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
