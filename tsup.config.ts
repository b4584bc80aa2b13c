import { defineConfig, type Options } from 'tsup';

/**
 * Entries mirror package.json `exports` and `bin` (test/package-exports.test.ts checks it).
 * The library entries and the bins are two builds, so the bins' chunk graph is split only among
 * the CLI's own lazily loaded commands: `aivault invoke` on the daemon path loads a handful of
 * files. Pure dependencies are bundled (tree-shaken, no CommonJS loading at start-up); undici
 * stays external. `AIVAULT_BUILD_DEV=1` (npm run build:dev) opens the dev-override gate
 * (spec Decision 13).
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

// Both builds write into one folder at once, so neither cleans it: the npm scripts do.
export default defineConfig([
  {
    ...common,
    entry: LIBRARY_ENTRIES,
    dts: process.env.AIVAULT_SKIP_DTS === '1' ? false : { entry: LIBRARY_ENTRIES },
  },
  // One build per bin: a bin's static graph then stays in its own file instead of being split
  // into chunks shared with the other bin, which keeps the `aivault invoke` path to few files.
  { ...common, entry: { 'bin/aivault': BIN_ENTRIES['bin/aivault'] } },
  { ...common, entry: { 'bin/aivaultd': BIN_ENTRIES['bin/aivaultd'] } },
]);
