/**
 * Builds what the process-level scenarios run: the CLI bundle (the project's tsup config, dev gate
 * open, into `.tmp/dist-bench`) and the bench's own children (`bench/children/*.ts`, bundled the
 * same way into `.tmp/dist-bench-children`, so no TypeScript loader sits in a measured process).
 * Each is rebuilt only when missing or older than its sources.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_ROOT } from './_upstream.js';

export interface Bundles {
  /** `bin/aivault.cjs` of the dev build. */
  aivault: string;
  aivaultd: string;
  /** Bundled children by name (`daemon`, `inproc-stream`, `direct-stream`). */
  child(name: ChildName): string;
  /** What was rebuilt in this run. */
  rebuilt: string[];
}

export type ChildName = 'daemon' | 'inproc-stream' | 'direct-stream';
const CHILDREN: readonly ChildName[] = ['daemon', 'inproc-stream', 'direct-stream'];

const CLI_OUT = join(BENCH_ROOT, '.tmp/dist-bench');
const CHILD_OUT = join(BENCH_ROOT, '.tmp/dist-bench-children');

export async function ensureBundles(): Promise<Bundles> {
  const rebuilt: string[] = [];
  const sources = await newestMtime(['src', 'bin', 'tsup.config.ts'].map((p) => join(BENCH_ROOT, p)));
  const aivault = join(CLI_OUT, 'bin/aivault.cjs');
  if (!existsSync(aivault) || (await stat(aivault)).mtimeMs < sources) {
    await buildCli();
    rebuilt.push('cli');
  }
  const stamp = join(CHILD_OUT, '.stamp');
  const childSources = Math.max(sources, await newestMtime([join(BENCH_ROOT, 'bench')]));
  if (!existsSync(stamp) || (await stat(stamp)).mtimeMs < childSources) {
    await buildChildren();
    await writeFile(stamp, '');
    rebuilt.push('children');
  }
  return { aivault, aivaultd: join(CLI_OUT, 'bin/aivaultd.js'), child: (name) => join(CHILD_OUT, `${name}.js`), rebuilt };
}

// --- internal ---

function buildCli(): Promise<void> {
  return new Promise((resolve, reject) => {
    const tsup = join(BENCH_ROOT, 'node_modules/tsup/dist/cli-default.js');
    const child = spawn(process.execPath, [tsup, '--silent', '--out-dir', CLI_OUT], {
      cwd: BENCH_ROOT,
      env: { ...process.env, AIVAULT_BUILD_DEV: '1', AIVAULT_SKIP_DTS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tsup (cli bundle) exited ${code}: ${stderr.trim().slice(-800)}`))));
  });
}

async function buildChildren(): Promise<void> {
  const { build } = await import('tsup');
  await build({
    config: false,
    entry: Object.fromEntries(CHILDREN.map((name) => [name, join(BENCH_ROOT, `bench/children/${name}.ts`)])),
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: CHILD_OUT,
    splitting: true,
    sourcemap: false,
    clean: true,
    dts: false,
    silent: true,
    define: { __AIVAULT_DEV_GATE__: 'true' },
  });
}

async function newestMtime(paths: readonly string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const s = await stat(path).catch(() => null);
    if (s === null) continue;
    if (!s.isDirectory()) {
      newest = Math.max(newest, s.mtimeMs);
      continue;
    }
    for (const entry of await readdir(path, { recursive: true })) {
      const child = await stat(join(path, entry)).catch(() => null);
      if (child?.isFile() && !entry.endsWith('results.json')) newest = Math.max(newest, child.mtimeMs);
    }
  }
  return newest;
}
