import { defineConfig } from 'tsup';

/**
 * Entries mirror package.json `exports` and `bin` (test/package-exports.test.ts checks it).
 * Code splitting keeps `aivault invoke` on the daemon path to a small chunk graph.
 * `AIVAULT_BUILD_DEV=1` (npm run build:dev) opens the dev-override gate (spec Decision 13).
 */
export const ENTRIES = {
  index: 'src/core/index.ts',
  inproc: 'src/transport-inproc/index.ts',
  socket: 'src/transport-socket/index.ts',
  'bin/aivault': 'bin/aivault.ts',
  'bin/aivaultd': 'bin/aivaultd.ts',
} as const;

export default defineConfig({
  entry: ENTRIES,
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  dts: process.env.AIVAULT_SKIP_DTS === '1' ? false : { entry: { index: ENTRIES.index, inproc: ENTRIES.inproc, socket: ENTRIES.socket } },
  define: {
    __AIVAULT_DEV_GATE__: JSON.stringify(process.env.AIVAULT_BUILD_DEV === '1'),
  },
});
