import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';

/**
 * Entries mirror package.json `exports` and `bin` (test/package-exports.test.ts checks it).
 *
 * Start-up of `aivault invoke` on the daemon path is the one that matters: `bin/aivault.js` is
 * therefore ONE file holding only the CLI's static graph, and every module the CLI loads with
 * `import()` is built as its own entry under `bin/lazy/` (split among themselves), which the bin
 * imports by that path. Node's loader pays per file, so this keeps the thin path to one file.
 * Modules in both graphs exist twice; nothing in them keeps state between the copies, and
 * `BrokerError` is recognised by a brand, not by class identity.
 *
 * Pure dependencies are bundled (tree-shaken, no CommonJS loading at start-up); undici stays
 * external. `AIVAULT_BUILD_DEV=1` (npm run build:dev) opens the dev-override gate (Decision 13).
 */
export const LIBRARY_ENTRIES = {
  index: 'src/core/index.ts',
  inproc: 'src/transport-inproc/index.ts',
  socket: 'src/transport-socket/index.ts',
} as const;

export const BIN_ENTRIES = {
  'bin/aivault': 'bin/aivault.ts',
  'bin/aivaultd': 'bin/aivaultd.ts',
} as const;

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
  { ...common, entry: { 'bin/aivault': BIN_ENTRIES['bin/aivault'] }, splitting: false, esbuildPlugins: [lazyImportsExternal()] },
  { ...common, entry: { 'bin/aivaultd': BIN_ENTRIES['bin/aivaultd'], ...lazyCliEntries() } },
]);

// --- internal ---

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

/** In the one-file `aivault` bin, `import('./x.js')` becomes `import('./lazy/src/…/x.js')`. */
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

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
