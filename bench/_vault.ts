/**
 * Bench vaults on disk: a fresh root under the bench's temp dir with a file-provider key,
 * `OPENAI_API_KEY` provisioned for the openai capabilities, and optionally many filler secrets.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinRegistry, createBrokerStore, provisionForSecret, type FsPort } from '../src/core/index.js';
import { nodeFs } from '../src/transport-inproc/index.js';
import { openVault } from './_service.js';

export const BENCH_SECRET = 'sk-bench-0123456789abcdefghijklmnopqrstuv';

export interface BenchVault {
  /** `AIVAULT_DIR` and `HOME` for every process that opens this vault. */
  env: Record<string, string>;
  rootDir: string;
  secrets: number;
}

/**
 * Creates the vault through the vault API. Filler secrets (global, names no provider claims) are
 * written by the real `createSecret`, over an fs port whose `fsync` is a no-op: durability is not
 * what this measures, and 10,000 fsyncs would dominate the run. Records stay ordinary and valid.
 */
export async function createBenchVault(dir: string, options: { fillers?: number } = {}): Promise<BenchVault> {
  const home = join(dir, 'home');
  const rootDir = join(dir, 'vault');
  await mkdir(home, { recursive: true });
  const env = { AIVAULT_DIR: rootDir, HOME: home };
  const fs: FsPort = {
    ...nodeFs,
    open: async (path, flags, mode) => ({ ...(await nodeFs.open(path, flags, mode)), sync: async () => {} }),
  };
  const vault = openVault(env, { fs, disableAudit: true });
  await vault.load();
  const fillers = options.fillers ?? 0;
  const value = new TextEncoder();
  for (let i = 0; i < fillers; i++) {
    await vault.createSecret({ name: `BENCH_FILLER_${String(i).padStart(5, '0')}`, value: value.encode(`filler-${i}`), scope: { kind: 'global' } });
  }
  const secret = await vault.createSecret({ name: 'OPENAI_API_KEY', value: value.encode(BENCH_SECRET), scope: { kind: 'global' } });
  const brokerStore = createBrokerStore({ fs, path: vault.paths.brokerPath, pid: process.pid, uuid: randomUUID });
  await provisionForSecret({ vault, registry: builtinRegistry(), brokerStore, secret, command: 'create' });
  return { env, rootDir, secrets: fillers + 1 };
}
