/**
 * The environment's boolean-flag rule, as a pure function of the raw string (core never reads the
 * environment: callers pass `env[NAME]`).
 *
 * @see ../../shared/spec/daemon.md §3; ../../shared/spec/security.md §9
 */

const TRUTHY: ReadonlySet<string> = new Set(['1', 'true', 'TRUE', 'yes', 'YES']);

/**
 * Exactly `1`, `true`, `TRUE`, `yes` or `YES`, not trimmed (`AIVAULTD_DISABLE`,
 * `AIVAULTD_AUTOSTART_ONCE`, `AIVAULT_DEV_*` flags); unset is false.
 */
export function isTruthy(raw: string | undefined): boolean {
  return raw !== undefined && TRUTHY.has(raw);
}
