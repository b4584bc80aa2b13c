/**
 * Colour vocabulary of the human layouts. Colour is emitted only when the stream is a terminal,
 * never when `NO_COLOR` is set; `CLICOLOR=0` disables and a non-zero `CLICOLOR_FORCE` forces.
 *
 * @see ../../../shared/spec/cli.md §1.6
 */
import type { EnvMap } from '../core/ports.js';

export interface Colors {
  readonly enabled: boolean;
  heading(text: string): string;
  label(text: string): string;
  id(text: string): string;
  dim(text: string): string;
  unlocked(text: string): string;
  warn(text: string): string;
  revoked(text: string): string;
  error(text: string): string;
}

/** Whether to colour a stream, from the environment and whether it is a terminal. */
export function colorEnabled(env: EnvMap, isTty: boolean | undefined): boolean {
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.CLICOLOR_FORCE;
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (env.CLICOLOR === '0') return false;
  return isTty === true;
}

/** @example createColors(false).heading('Vault') === 'Vault' */
export function createColors(enabled: boolean): Colors {
  const sgr =
    (...codes: number[]) =>
    (text: string): string =>
      enabled ? `\u001b[${codes.join(';')}m${text}\u001b[0m` : text;
  return {
    enabled,
    heading: sgr(1, 36),
    label: sgr(1),
    id: sgr(96),
    dim: sgr(2),
    unlocked: sgr(32),
    warn: sgr(33),
    revoked: sgr(1, 31),
    error: sgr(1, 31),
  };
}

/** `<n> <noun>` with the correct plural (Decision 14). */
export function countLine(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
