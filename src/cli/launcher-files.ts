/** Names shared by the CLI launcher and the build that writes its files (tsup.config.ts). */

/** The one-file CLI, next to the launcher in `dist/bin/`. */
export const CLI_FILE = 'aivault-cli.cjs';
/** V8's code cache for it, written at build time. */
export const CODE_CACHE_FILE = 'aivault-cli.v8cache';
/** The name under which the CLI's code calls the launcher's `import()`. */
export const LAZY_IMPORT = '__aivaultLazyImport';
