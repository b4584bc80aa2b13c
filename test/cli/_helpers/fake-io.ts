// Fake process streams for running the CLI in-process.
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../../src/cli/io.js';
import { runAivault } from '../../../src/cli/run-aivault.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

class Sink extends Writable {
  chunks: Buffer[] = [];
  isTTY: boolean;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  tty?: boolean;
  cwd?: string;
  scriptPath?: string;
  uid?: number;
}

/** Runs `aivault argv` in-process and captures its output. */
export async function run(argv: string[], options: RunOptions = {}): Promise<Captured> {
  const stdout = new Sink(options.tty ?? false);
  const stderr = new Sink(options.tty ?? false);
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const io: CliIo = {
    env: { PATH: process.env.PATH, ...(options.env ?? {}) },
    stdin,
    stdout,
    stderr,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.scriptPath === undefined ? {} : { scriptPath: options.scriptPath }),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
  };
  const code = await runAivault(argv, io);
  const out = Buffer.concat(stdout.chunks);
  return { code, stdout: out.toString('utf8'), stderr: Buffer.concat(stderr.chunks).toString('utf8'), stdoutBytes: out };
}
