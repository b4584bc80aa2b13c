/**
 * The daemon's framing as pure functions of bytes (STYLE rule 5): a one-shot request is the bytes
 * up to the client's half-close; replies are one JSON object; stream frames and multiplexed frames
 * are JSON objects each followed by `\n`. Readers enforce a `readMaxBytes` cap (Decision 18).
 *
 * @see ../../../shared/spec/daemon.md §5.1, §5.5, §9
 */
import { concatBytes, utf8DecodeStrict, utf8Encode } from '../encoding.js';

/** The request cap: `invalid request JSON: request exceeds 16 MiB` beyond it. */
export const DEFAULT_READ_MAX_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Turns messages into bytes and back; the one place `JSON` meets the wire. */
export interface Encoder {
  encode(value: unknown): Uint8Array;
  /** Throws `SyntaxError` on malformed JSON or a `TypeError` on invalid UTF-8. */
  decode(bytes: Uint8Array): unknown;
}

export const jsonEncoder: Encoder = {
  encode: (value) => utf8Encode(JSON.stringify(value)),
  decode: (bytes) => {
    const text = utf8DecodeStrict(bytes);
    if (text === null) throw new TypeError('request is not valid UTF-8');
    return JSON.parse(text) as unknown;
  },
};

/** A frame followed by `\n` (stream and multiplexed frames). */
export function encodeLine(value: unknown, encoder: Encoder = jsonEncoder): Uint8Array {
  const body = encoder.encode(value);
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = NEWLINE;
  return out;
}

/** `16 MiB` for whole mebibytes, else `<n> bytes`. */
export function formatByteLimit(limit: number): string {
  const mib = 1024 * 1024;
  return limit % mib === 0 ? `${limit / mib} MiB` : `${limit} bytes`;
}

/**
 * Accumulates one request up to `readMaxBytes`. `push` returns `false` once the cap is exceeded
 * (the caller replies `request exceeds …` and stops buffering). `firstLine()` is the bytes before
 * the first `\n`, once one has arrived: a `{"op":"multiplex"}` first line upgrades the connection.
 */
export interface RequestReader {
  push(chunk: Uint8Array): boolean;
  firstLine(): Uint8Array | null;
  /** Bytes after the first `\n` (already-received multiplexed frames). */
  afterFirstLine(): Uint8Array;
  bytes(): Uint8Array;
  readonly size: number;
}

export function createRequestReader(readMaxBytes: number = DEFAULT_READ_MAX_BYTES): RequestReader {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let newlineAt = -1;
  let joined: Uint8Array | null = null;
  const all = (): Uint8Array => (joined ??= concatBytes(chunks));
  return {
    push(chunk) {
      if (newlineAt < 0) {
        const i = chunk.indexOf(NEWLINE);
        if (i >= 0) newlineAt = size + i;
      }
      size += chunk.length;
      if (size > readMaxBytes) return false;
      chunks.push(chunk);
      joined = null;
      return true;
    },
    firstLine: () => (newlineAt < 0 ? null : all().subarray(0, newlineAt)),
    afterFirstLine: () => (newlineAt < 0 ? new Uint8Array(0) : all().subarray(newlineAt + 1)),
    bytes: all,
    get size() {
      return size;
    },
  };
}

/** Splits a byte stream into `\n`-terminated lines; a line longer than `readMaxBytes` throws. */
export interface LineSplitter {
  push(chunk: Uint8Array): Uint8Array[];
  /** Bytes received after the last `\n` (non-empty means the peer stopped mid-frame). */
  rest(): Uint8Array;
}

export class LineTooLongError extends Error {
  constructor(limit: number) {
    super(`frame exceeds ${formatByteLimit(limit)}`);
    this.name = 'LineTooLongError';
  }
}

export function createLineSplitter(readMaxBytes: number = Number.POSITIVE_INFINITY): LineSplitter {
  let pending: Uint8Array[] = [];
  let pendingSize = 0;
  return {
    push(chunk) {
      const lines: Uint8Array[] = [];
      let start = 0;
      for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, start)) {
        const part = chunk.subarray(start, i);
        if (pendingSize + part.length > readMaxBytes) throw new LineTooLongError(readMaxBytes);
        lines.push(pending.length === 0 ? part : concatBytes([...pending, part]));
        pending = [];
        pendingSize = 0;
        start = i + 1;
      }
      if (start < chunk.length) {
        const tail = chunk.subarray(start);
        pendingSize += tail.length;
        if (pendingSize > readMaxBytes) throw new LineTooLongError(readMaxBytes);
        pending.push(tail);
      }
      return lines;
    },
    rest: () => concatBytes(pending),
  };
}
