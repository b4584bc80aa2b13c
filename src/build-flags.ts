/**
 * Build-time flags, replaced by tsup's `define`. When the sources run unbundled (tests through
 * tsx) the dev gate is open; every published bundle has it set explicitly, closed for
 * `npm run build` and open only for `npm run build:dev` (spec Decision 13).
 */
declare const __AIVAULT_DEV_GATE__: boolean | undefined;

export const DEV_GATE: boolean = typeof __AIVAULT_DEV_GATE__ === 'boolean' ? __AIVAULT_DEV_GATE__ : true;
