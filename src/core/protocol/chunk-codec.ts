/**
 * The stream hot path: `chunk` frames written and read as bytes without `JSON.stringify`/`parse`
 * of the (large) base64 text. The wire bytes are exactly what the JSON path produces
 * (`{"type":"chunk","bodyB64":"…"}\n`, or `{"id":7,"type":"chunk","bodyB64":"…"}\n` when
 * multiplexed); a line that is not in this exact form, or whose base64 is not canonical, falls
 * back to the general JSON decoder so errors and their messages are unchanged.
 *
 * Base64 is an injected port: core stays pure (its helpers are the default), transports pass a
 * native one (node's `Buffer`), which is what makes 1 GiB streams cheap.
 *
 * @see ../../../shared/spec/daemon.md §5.5; ./multiplex.ts for the `id` form
 */
import { base64DecodeStrict, base64Encode, utf8DecodeStrict, utf8Encode } from '../encoding.js';
import { encodeMuxFrame } from './multiplex.js';
import { END_FRAME, encodeStreamFrame, errorFrame, type StreamFrame } from './reply-codec.js';

/** Base64 between raw bytes and its ASCII bytes (standard alphabet, `=` padded). */
export interface ChunkBase64 {
  encode(bytes: Uint8Array): Uint8Array;
  /**
   * Optional: writes the base64 of `bytes` into `target` at `offset` (exactly
   * `base64Length(bytes.length)` bytes). Saves the intermediate copy `encode` returns: on a
   * 1 GiB stream every copy is another GiB of short-lived buffers for the GC to chase.
   */
  encodeInto?(bytes: Uint8Array, target: Uint8Array, offset: number): void;
  /** Strict (canonical RFC 4648 §4) decoding; `null` for anything else. */
  decode(ascii: Uint8Array): Uint8Array | null;
}

/** The pure default: core's strict helpers (correct, slow for large bodies). */
export const pureChunkBase64: ChunkBase64 = {
  encode: (bytes) => utf8Encode(base64Encode(bytes)),
  decode: (ascii) => {
    const text = utf8DecodeStrict(ascii);
    return text === null ? null : base64DecodeStrict(text);
  },
};

const CHUNK_HEAD = utf8Encode('"type":"chunk","bodyB64":"');
const ID_HEAD = utf8Encode('{"id":');
const TAIL = utf8Encode('"}\n');
const OPEN = 0x7b; // {
const COMMA = 0x2c;
const QUOTE = 0x22;
const CLOSE = 0x7d; // }

/** One `chunk` line (with its `\n`); `id` adds the multiplexed tag. */
export function encodeChunkLine(bytes: Uint8Array, base64: ChunkBase64 = pureChunkBase64, id?: number): Uint8Array {
  const body = base64.encodeInto === undefined ? base64.encode(bytes) : null;
  const bodyLength = body === null ? base64Length(bytes.length) : body.length;
  const idText = id === undefined ? null : utf8Encode(String(id));
  const headLength = idText === null ? 1 : ID_HEAD.length + idText.length + 1;
  const out = new Uint8Array(headLength + CHUNK_HEAD.length + bodyLength + TAIL.length);
  let at = 0;
  if (idText === null) out[at++] = OPEN;
  else {
    out.set(ID_HEAD, at);
    at += ID_HEAD.length;
    out.set(idText, at);
    at += idText.length;
    out[at++] = COMMA;
  }
  out.set(CHUNK_HEAD, at);
  at += CHUNK_HEAD.length;
  if (body === null) base64.encodeInto!(bytes, out, at);
  else out.set(body, at);
  out.set(TAIL, at + bodyLength);
  return out;
}

/**
 * The fast read of a line (without its `\n`) in the exact `chunk` form: its `id` (`null` when
 * untagged) and decoded bytes. `undefined` means "not this form, use the JSON decoder".
 */
export function decodeChunkLine(line: Uint8Array, base64: ChunkBase64 = pureChunkBase64): { id: number | null; bytes: Uint8Array } | undefined {
  if (line.length < CHUNK_HEAD.length + 3 || line[0] !== OPEN || line[line.length - 1] !== CLOSE || line[line.length - 2] !== QUOTE) return undefined;
  let at = 1;
  let id: number | null = null;
  if (startsWith(line, ID_HEAD, 0)) {
    at = ID_HEAD.length;
    let value = 0;
    const digitsFrom = at;
    for (; at < line.length && line[at]! >= 0x30 && line[at]! <= 0x39; at++) value = value * 10 + (line[at]! - 0x30);
    const digits = at - digitsFrom;
    // JSON integers: no leading zeros; keep ids in the safe range.
    if (digits === 0 || digits > 15 || (digits > 1 && line[digitsFrom] === 0x30) || line[at] !== COMMA) return undefined;
    id = value;
    at++;
  }
  if (!startsWith(line, CHUNK_HEAD, at)) return undefined;
  const bytes = base64.decode(line.subarray(at + CHUNK_HEAD.length, line.length - 2));
  return bytes === null ? undefined : { id, bytes };
}

/**
 * A body stream as encoded lines: `chunk` lines via the fast encoder, then exactly one terminal
 * line (`end`, or `error` for a failure, also one raised before the first chunk). Never throws.
 * Same frames as `streamFrames` + `encodeStreamFrame` / `encodeMuxFrame`.
 */
export async function* streamLines(
  body: AsyncIterable<Uint8Array>,
  options: { base64?: ChunkBase64; id?: number } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const { base64 = pureChunkBase64, id } = options;
  const terminal = (frame: StreamFrame) => (id === undefined ? encodeStreamFrame(frame) : encodeMuxFrame(id, frame));
  try {
    for await (const chunk of body) if (chunk.length > 0) yield encodeChunkLine(chunk, base64, id);
  } catch (error) {
    yield terminal(errorFrame(error));
    return;
  }
  yield terminal(END_FRAME);
}

// --- internal ---

/** Length of the padded base64 text of `n` bytes. */
function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

function startsWith(line: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (line.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[at + i] !== prefix[i]) return false;
  return true;
}
