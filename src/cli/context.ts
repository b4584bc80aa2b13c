/**
 * What every command handler receives: the process seams of `CliIo`, colours for stdout and
 * output helpers. Built once per `runAivault` call.
 */
import type { EnvMap } from '../core/ports.js';
import { colorEnabled, createColors, type Colors } from './color.js';
import type { CliIo } from './io.js';
import { formatJson, writeOut } from './output.js';

export interface CliContext {
  readonly io: CliIo;
  readonly env: EnvMap;
  readonly cwd: string;
  /** Colours for stdout (human layouts). */
  readonly colors: Colors;
  out(text: string | Uint8Array): Promise<void>;
  err(text: string): Promise<void>;
  /** `JSON.stringify(v, null, 2) + "\n"` on stdout. */
  json(value: unknown): Promise<void>;
}

export function createCliContext(io: CliIo): CliContext {
  return {
    io,
    env: io.env,
    cwd: io.cwd ?? process.cwd(),
    colors: createColors(colorEnabled(io.env, io.stdout.isTTY)),
    out: (text) => writeOut(io.stdout, text),
    err: (text) => writeOut(io.stderr, text),
    json: (value) => writeOut(io.stdout, formatJson(value)),
  };
}
