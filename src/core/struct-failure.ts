/**
 * The one-line text of a superstruct failure for the JSON inputs the broker takes (envelopes,
 * WebSocket connect frames, token requests): the first failure only, by path, never the
 * offending value (it could be anything, a secret included).
 *
 * @see ../../shared/spec/broker.md §3.2 (the envelope's wording, which the others follow)
 */
import type { StructError } from 'superstruct';

export interface FailureWording {
  /** What the path is relative to, named when the failure is at the top (`envelope`, `frame`, …). */
  root: string;
  /** Name the object holding an unknown field (`unknown field \`x\` in envelope.request`). @default false */
  unknownFieldIn?: boolean;
}

export function describeStructFailure(error: StructError, wording: FailureWording): string {
  const failure = error.failures()[0] ?? error;
  const where = failure.path.length > 0 ? failure.path.map(String).join('.') : wording.root;
  if (failure.type === 'never') {
    if (wording.unknownFieldIn !== true) return `unknown field \`${String(failure.key)}\``;
    const parent = failure.path.slice(0, -1).map(String).join('.');
    return `unknown field \`${String(failure.key)}\` in ${parent === '' ? wording.root : parent}`;
  }
  if (failure.value === undefined) return `missing field \`${where}\``;
  if (failure.refinement === 'size') return `too large at \`${where}\``;
  return `invalid type at \`${where}\`: expected ${failure.type}`;
}
