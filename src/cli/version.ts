/**
 * The package version, inlined at build time from package.json (`<bin> <version>`, Decision 14/18).
 */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
