/**
 * Parsing JSON files from disk with errors that name the file and the position (Decision 14),
 * never echoing file content.
 *
 * @see ../../../../shared/spec/README.md Decision 14; vault.md §16
 */
import { validate, type Struct } from 'superstruct';
import { utf8DecodeStrict } from '../encoding.js';
import { vaultFailure } from './vault-errors.js';

/**
 * Decodes, parses and validates `bytes` read from `path`. Failures are `vault_error`
 * `malformed file <path>: <reason> at line <l>, column <c>` or `… at '<field.path>': <reason>`.
 */
export function parseJsonFile<T, S>(path: string, bytes: Uint8Array, struct: Struct<T, S>): T {
  const text = utf8DecodeStrict(bytes);
  if (text === null) throw vaultFailure(`malformed file ${path}: not valid UTF-8`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { line, column } = lineColumn(text, jsonErrorOffset(text));
    throw vaultFailure(`malformed file ${path}: invalid JSON at line ${line}, column ${column}`);
  }
  const [error, result] = validate(value, struct, { coerce: true });
  if (error !== undefined) {
    const failure = error.failures()[0] ?? error;
    const where = failure.path.length === 0 ? '(root)' : failure.path.join('.');
    throw vaultFailure(`malformed file ${path}: invalid value at '${where}': ${describe(failure.type, failure.refinement)}`);
  }
  return result;
}

/** `JSON.stringify(value, null, 2)`: the pretty form every aivault JSON file uses. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

// --- internal ---

function describe(type: string, refinement: string | undefined): string {
  return refinement === undefined ? `expected ${type}` : `expected ${type} (${refinement})`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The offset of the first syntax error (a small recursive-descent JSON scanner). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const str = (): void => {
    if (text[i] !== '"') fail();
    i++;
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail();
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const num = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    num();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return text.length;
  } catch (offset) {
    return typeof offset === 'number' ? offset : 0;
  }
}
