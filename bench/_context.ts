/**
 * What scenarios share: one temp dir, the mock upstream child, the base vault (one provisioned
 * secret), the bundles and a warm daemon. Each is built on first use, so a scenario run alone
 * (`--only N`) builds only what it needs; `close()` stops every child and removes the temp dir.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBundles, type Bundles } from './_bundle.js';
import { startDaemon, type Daemon } from './_daemon.js';
import { startUpstreamChild, type UpstreamInfo } from './_upstream.js';
import { createBenchVault, type BenchVault } from './_vault.js';

export interface BenchOptions {
  /** Fewer iterations and a smaller stream: a smoke run of the harness, not a measurement. */
  quick: boolean;
}

export interface BenchContext {
  readonly options: BenchOptions;
  /** A fresh directory under the run's temp dir. */
  tempDir(name: string): Promise<string>;
  upstream(): Promise<UpstreamInfo>;
  vault(): Promise<BenchVault>;
  bundles(): Promise<Bundles>;
  /** The shared warm daemon over the base vault. */
  daemon(): Promise<Daemon>;
  /** A fresh daemon the caller stops (peak-RSS runs). */
  freshDaemon(name: string): Promise<Daemon>;
  /** The env a daemon or CLI child gets: PATH, the vault root, the dev overrides. */
  childEnv(): Promise<Record<string, string>>;
  /** Run metadata that lands in results.json. */
  note(key: string, value: unknown): void;
  readonly notes: Record<string, unknown>;
  /** Registers cleanup (run in reverse order by `close`). */
  defer(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function createBenchContext(options: BenchOptions): Promise<BenchContext> {
  const root = await mkdtemp(join(tmpdir(), 'aivault-bench-'));
  const cleanups: Array<() => Promise<void>> = [];
  const notes: Record<string, unknown> = {};
  let dirs = 0;
  const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | null = null;
    return () => (value ??= make());
  };

  const upstream = once(async () => {
    const info = await startUpstreamChild();
    cleanups.push(() => info.stop());
    return info;
  });
  const tempDir = async (name: string) => {
    const dir = join(root, `${++dirs}-${name}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const vault = once(async () => createBenchVault(await tempDir('vault')));
  const bundles = once(async () => {
    const built = await ensureBundles();
    if (built.rebuilt.length > 0) notes['rebuilt'] = built.rebuilt;
    return built;
  });
  const childEnv = async () => ({ PATH: process.env['PATH'] ?? '', ...(await vault()).env, ...(await upstream()).devEnv });
  const spawn = async (name: string): Promise<Daemon> => {
    const daemon = await startDaemon({ bundles: await bundles(), socketPath: join(await tempDir(name), 'aivaultd.sock'), env: await childEnv() });
    notes['daemon'] = daemon.kind;
    if (daemon.fallbackReason !== undefined) notes['daemonFallbackReason'] = daemon.fallbackReason;
    return daemon;
  };
  const daemon = once(async () => {
    const d = await spawn('daemon');
    cleanups.push(() => d.stop());
    return d;
  });

  return {
    options,
    tempDir,
    upstream,
    vault,
    bundles,
    daemon,
    freshDaemon: spawn,
    childEnv,
    note: (key, value) => void (notes[key] = value),
    notes,
    defer: (fn) => void cleanups.push(fn),
    close: async () => {
      for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
