#!/usr/bin/env node
/**
 * `dist/bin/aivault.cjs`, the file the `aivault` command runs. It starts the one-file CLI
 * (`aivault-cli.cjs`, built from `bin/aivault.ts`) from V8's code cache, so a warm
 * `aivault invoke` does not parse and compile the CLI's ~80 KB of JavaScript on every run.
 *
 * The cache (`aivault-cli.v8cache`) is written at build time by `scripts/code-cache.ts`, after a
 * scripted invoke ran so the functions that path needs are compiled into it. V8 checks it against
 * its own version, its flags and the source, and rejects a stale or foreign cache; the CLI then
 * compiles normally. A missing cache is the same. Both files are plain CommonJS: Node's ES module
 * loader costs several milliseconds more per start.
 *
 * The CLI's lazily loaded modules (`bin/lazy/…`, ES modules) and lazily loaded Node built-ins are
 * imported here, for the CLI: code compiled through `vm` cannot use `import()` without an
 * experimental loader flag, so the build rewrites the CLI's `import(…)` calls to call this one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

import { CLI_FILE, CODE_CACHE_FILE, LAZY_IMPORT } from './launcher-files.js';

export { CODE_CACHE_FILE };

export interface CompiledCli {
  /** Runs the CLI with the process's argv, env and stdio. */
  run(): void;
  /** V8's code cache for the CLI, including every function compiled so far. */
  codeCache(): Buffer;
  /** False when a cache was given and V8 accepted it. */
  cacheRejected: boolean;
}

export function compileCli(dir: string): CompiledCli {
  const file = join(dir, CLI_FILE);
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(join(dir, CODE_CACHE_FILE));
  } catch {
    cachedData = undefined;
  }
  // The same wrapper Node gives a CommonJS module, plus the lazy importer.
  const wrapped = `(function (exports, require, module, __filename, __dirname, ${LAZY_IMPORT}) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  const lazyImport = (specifier: string): Promise<unknown> => import(specifier.startsWith('./') ? pathToFileURL(join(dir, specifier)).href : specifier);
  return {
    run() {
      const module = { exports: {} };
      const main = script.runInThisContext() as (...args: unknown[]) => void;
      main.call(module.exports, module.exports, require, module, file, dir, lazyImport);
    },
    codeCache: () => script.createCachedData(),
    cacheRejected: cachedData === undefined || script.cachedDataRejected === true,
  };
}

// Run when started as the `aivault` command, not when the build's cache writer requires this file.
if (require.main === module) compileCli(__dirname).run();
