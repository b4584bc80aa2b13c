import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';
import { CLI_FILE, LAZY_IMPORT } from './src/cli/launcher-files.js';
import { writeCodeCache } from './scripts/code-cache.js';

/**
 * Entries mirror package.json `exports` and `bin` (test/package-exports.test.ts checks it).
 *
 * Start-up of `aivault invoke` on the daemon path is the one that matters. `bin/aivault.cjs` is a
 * small CommonJS launcher (src/cli/launcher.ts) that runs `bin/aivault-cli.cjs` — ONE CommonJS
 * file holding only the CLI's static graph — from V8's code cache (`bin/aivault-cli.v8cache`,
 * written after the build by scripts/code-cache.ts). CommonJS because Node's ES module loader
 * costs milliseconds per start. Every module the CLI loads with `import()` is built as its own ES
 * module entry under `bin/lazy/` (split among themselves), and the CLI's `import("./lazy/…")` calls
 * go through the launcher. Modules in both graphs exist twice; nothing in them keeps state
 * between the copies, and `BrokerError` is recognised by a brand, not by class identity.
 *
 * Pure dependencies are bundled (tree-shaken, no CommonJS loading at start-up); undici stays
 * external. `AIVAULT_BUILD_DEV=1` (npm run build:dev) opens the dev-override gate (Decision 13).
 */
export const LIBRARY_ENTRIES = {
  index: 'src/core/index.ts',
  inproc: 'src/transport-inproc/index.ts',
  socket: 'src/transport-socket/index.ts',
  http: 'src/transport-http/index.ts',
} as const;

export const BIN_ENTRIES = {
  'bin/aivault': 'src/cli/launcher.ts',
  'bin/aivaultd': 'bin/aivaultd.ts',
} as const;

/** Entries built as CommonJS (`.cjs`); every other entry is an ES module (`.js`). */
export const COMMONJS_ENTRIES: ReadonlySet<string> = new Set(['bin/aivault']);

export const ENTRIES = { ...LIBRARY_ENTRIES, ...BIN_ENTRIES } as const;

const ROOT = import.meta.dirname;

const common: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  noExternal: ['superstruct', 'ts-pattern', '@noble/ciphers', 'hash-wasm'],
  define: {
    __AIVAULT_DEV_GATE__: JSON.stringify(process.env.AIVAULT_BUILD_DEV === '1'),
  },
};

// Every build writes into one folder at once, so none of them cleans it: the npm scripts do.
export default defineConfig([
  { ...common, entry: LIBRARY_ENTRIES, dts: process.env.AIVAULT_SKIP_DTS === '1' ? false : { entry: LIBRARY_ENTRIES } },
  {
    ...common,
    format: ['cjs'],
    minify: true,
    entry: { 'bin/aivault': BIN_ENTRIES['bin/aivault'], [`bin/${CLI_FILE.replace(/\.cjs$/, '')}`]: 'bin/aivault.ts' },
    splitting: false,
    esbuildPlugins: [lazyImportsExternal()],
    plugins: [lazyImportsThroughLauncher(), codeCacheAfterBuild()],
  },
  { ...common, entry: { 'bin/aivaultd': BIN_ENTRIES['bin/aivaultd'], ...lazyCliEntries() } },
]);

// --- internal ---

type TsupPlugin = NonNullable<Options['plugins']>[number];

/** `src/cli/x.ts` → `bin/lazy/src/cli/x`: where a lazily imported module is built. */
function lazyName(sourceFile: string): string {
  return `bin/lazy/${relative(ROOT, sourceFile).replace(/\.[jt]s$/, '')}`;
}

/** Every local module the CLI's sources load with `import('./…')`, as tsup entries. */
function lazyCliEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of sourceFiles(join(ROOT, 'src/cli'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      entries[lazyName(target)] = relative(ROOT, target);
    }
  }
  return entries;
}

/** In the one-file CLI, `import('./x.js')` becomes `import('./lazy/src/…/x.js')`. */
function lazyImportsExternal(): Plugin {
  return {
    name: 'aivault-lazy-imports',
    setup(build) {
      build.onResolve({ filter: /^\.{1,2}\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
        return { path: `./${relative('bin', lazyName(target))}.js`, external: true };
      });
    },
  };
}

/**
 * Code compiled through `vm` (the launcher) cannot call `import()` without an experimental flag, so
 * the CLI's `import("./lazy/…")` and `import("<node built-in>")` calls become calls of the importer
 * the launcher passes in. The build fails if any other `import(` is left in the CLI, rather than
 * the CLI failing at run time.
 */
function lazyImportsThroughLauncher(): TsupPlugin {
  return {
    name: 'aivault-lazy-imports-through-launcher',
    renderChunk(code, chunk) {
      if (!chunk.path.endsWith(`/bin/${CLI_FILE}`)) return undefined;
      const rewritten = code.replaceAll(/\bimport\("([^"]+)"\)/g, (call, specifier: string) =>
        specifier.startsWith('./lazy/') || isBuiltin(specifier) ? `${LAZY_IMPORT}(${JSON.stringify(specifier)})` : call,
      );
      if (!rewritten.includes(`${LAZY_IMPORT}("./lazy/`) || /\bimport\(/.test(rewritten.replaceAll(/"(?:[^"\\\n]|\\.)*"/g, '""'))) {
        throw new Error(`${CLI_FILE}: expected every import() to load ./lazy/… or a Node built-in through the launcher`);
      }
      return { code: rewritten };
    },
  };
}

/** After the CLI is written, records V8's code cache for it (scripts/code-cache.ts). */
function codeCacheAfterBuild(): TsupPlugin {
  return {
    name: 'aivault-code-cache',
    async buildEnd() {
      await writeCodeCache(resolve(this.options.outDir, 'bin'));
    },
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
