/**
 * Child-process helpers: spawn with bounded waits, read a ready line, time a run to exit, and
 * read a live process's peak RSS from /proc.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { msSince } from './_stats.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` to exit; stdout is kept unless `stdout` is `'ignore'` (e.g. a 1 GiB stream). */
export function runNode(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore'; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env: options.env, stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: msSince(start), stdout, stderr });
    });
  });
}

/** Long-lived children still running; killed if the bench process exits without stopping them. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts a long-lived child; the caller owns `stop()` (and the bench's exit kills it regardless). */
export function startNode(args: readonly string[], options: { env: NodeJS.ProcessEnv; stdio?: StdioOptions }): ChildProcess {
  const child = spawn(process.execPath, args, { env: options.env, stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Resolves with the child's first stdout line; rejects if it exits or `timeoutMs` passes first. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      fn();
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl >= 0) done(() => resolve(buffered.slice(0, nl)));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`child exited (${code}) before it was ready: ${stderr.trim().slice(-500)}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`child not ready after ${timeoutMs} ms: ${stderr.trim().slice(-500)}`))), timeoutMs);
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Peak resident set (`VmHWM`) of a live process in bytes, or `null` where /proc is missing. */
export async function peakRssBytes(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kib = status === null ? null : /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kib === null || kib === undefined ? null : Number(kib) * 1024;
}

/**
 * A `--import` preload that prints `maxrss=<KiB>` on stderr at exit, so a short-lived child (the
 * CLI) reports its own peak RSS.
 */
export const REPORT_MAX_RSS_IMPORT = `data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))`;

/** Reads the `maxrss=` line of `REPORT_MAX_RSS_IMPORT` (bytes). */
export function reportedMaxRss(stderr: string): number | null {
  const kib = /maxrss=(\d+)/.exec(stderr)?.[1];
  return kib === undefined ? null : Number(kib) * 1024;
}
