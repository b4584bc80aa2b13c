/**
 * Our wire addition: a persistent, multiplexed connection for library clients. The original's
 * clients never send it, so the one-request-per-connection protocol is unchanged for them.
 *
 * Upgrade: the client's first line (bytes up to the first `\n`, sent before any half-close) is
 * `{"op":"multiplex","version":1}`; the daemon answers `{"ok":true,"value":{"multiplex":1}}\n`.
 * A first line that is anything else leaves the connection a plain one-shot request.
 *
 * Then both sides exchange newline-delimited JSON frames tagged with a client-chosen integer `id`:
 *
 * - client → daemon: `{"id":7,"request":{…any one-shot request, same schema…}}` and
 *   `{"id":7,"cancel":true}` (stop a stream or call; the daemon aborts the broker call).
 * - daemon → client: the one-shot reply or the stream frames of that request with `"id"` added:
 *   `{"id":7,"ok":true,"value":…}`, `{"id":7,"ok":false,"error":"…"}`,
 *   `{"id":7,"type":"chunk","bodyB64":"…"}`, `{"id":7,"type":"end"}`, `{"id":7,"type":"error",…}`.
 * - A frame whose `id` cannot be read gets `{"id":null,"ok":false,"error":"invalid request JSON: …"}`
 *   and the daemon closes the connection. Each frame is capped at the request cap.
 *
 * @see ../../../shared/spec/daemon.md §5 (wire additions documented here)
 */
import { validate } from 'superstruct';
import { integer, literal, min, type, unknown, optional, nullable } from 'superstruct';
import type { BrokerError } from '../broker-error.js';
import { encodeLine, jsonEncoder, type Encoder } from './frame.js';
import { parseRequestValue, type WireRequest } from './request-codec.js';
import type { StreamFrame, WireReply } from './reply-codec.js';
import { protocolError, requestParseError } from './wire-errors.js';
import type { DecodeContext } from './reply-codec.js';

export const MULTIPLEX_VERSION = 1;

export const MUX_HELLO: Readonly<Record<string, unknown>> = { op: 'multiplex', version: MULTIPLEX_VERSION };
export const MUX_ACK: WireReply = { ok: true, value: { multiplex: MULTIPLEX_VERSION } };

const MuxId = min(integer(), 0);
const MuxClientFrame = type({ id: MuxId, request: optional(unknown()), cancel: optional(nullable(literal(true))) });
const MuxServerFrame = type({ id: MuxId });

export type MuxClientMessage =
  | { kind: 'request'; id: number; request: Exclude<WireRequest, { op: 'multiplex' }> }
  | { kind: 'cancel'; id: number }
  /** A bad frame: answered on `id` when known, fatal for the connection when `id` is null. */
  | { kind: 'invalid'; id: number | null; error: BrokerError };

/** Parses one client line; never throws. */
export function decodeMuxClientLine(line: Uint8Array, encoder: Encoder = jsonEncoder): MuxClientMessage {
  let parsed: unknown;
  try {
    parsed = encoder.decode(line);
  } catch {
    return { kind: 'invalid', id: null, error: requestParseError('malformed multiplexed frame') };
  }
  const [error, frame] = validate(parsed, MuxClientFrame);
  if (error) return { kind: 'invalid', id: null, error: requestParseError('multiplexed frame needs an integer `id`') };
  if (frame.cancel === true) return { kind: 'cancel', id: frame.id };
  try {
    const request = parseRequestValue(frame.request);
    if (request.op === 'multiplex') return { kind: 'invalid', id: frame.id, error: requestParseError('already multiplexed') };
    return { kind: 'request', id: frame.id, request };
  } catch (failure) {
    return { kind: 'invalid', id: frame.id, error: failure as BrokerError };
  }
}

export function encodeMuxRequest(id: number, request: Record<string, unknown>, encoder: Encoder = jsonEncoder): Uint8Array {
  return encodeLine({ id, request }, encoder);
}

export function encodeMuxCancel(id: number, encoder: Encoder = jsonEncoder): Uint8Array {
  return encodeLine({ id, cancel: true }, encoder);
}

export function encodeMuxReply(id: number | null, reply: WireReply, encoder: Encoder = jsonEncoder): Uint8Array {
  return encodeLine({ id, ...reply }, encoder);
}

export function encodeMuxFrame(id: number, frame: StreamFrame, encoder: Encoder = jsonEncoder): Uint8Array {
  return encodeLine({ id, ...frame }, encoder);
}

/** One daemon line: its `id` and the parsed object (read with `replyValue` / `streamFrameValue`). */
export function decodeMuxServerLine(line: Uint8Array, context: DecodeContext): { id: number | null; message: unknown } {
  let parsed: unknown;
  try {
    parsed = (context.encoder ?? jsonEncoder).decode(line);
  } catch {
    throw protocolError(context.socket, 'unparsable multiplexed frame', false);
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { id?: unknown }).id === null) return { id: null, message: parsed };
  const [error, frame] = validate(parsed, MuxServerFrame);
  if (error) throw protocolError(context.socket, 'multiplexed frame without id', false);
  return { id: frame.id, message: parsed };
}
