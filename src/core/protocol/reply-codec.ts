/**
 * Replies and stream frames: `{"ok":true,"value":…}` / `{"ok":false,"error":"…"}` for one-shot
 * ops, newline-delimited `chunk` / `error` / `end` frames for streams. Decoders throw the error
 * classes of daemon.md §5.7 (protocol errors name the socket; remote errors keep the text).
 *
 * @see ../../../shared/spec/daemon.md §5.3-§5.5, §5.7
 */
import { validate } from 'superstruct';
import { BrokerError } from '../broker-error.js';
import type { BrokerResult } from '../broker/types.js';
import { base64DecodeStrict, base64Encode } from '../encoding.js';
import { encodeLine, jsonEncoder, type Encoder } from './frame.js';
import type { DaemonStatus } from './service.js';
import { wireSchemas } from './schemas.js';
import { errorFromWireText, errorToWireText, protocolError } from './wire-errors.js';

export type WireReply = { ok: true; value: unknown } | { ok: false; error: string };

export type StreamFrame = { type: 'chunk'; bodyB64: string } | { type: 'error'; error: string } | { type: 'end' };

/** The health probe's value (daemon.md §5.4). */
export interface HealthValue {
  ok: true;
  capability: string;
}

export const okReply = (value: unknown): WireReply => ({ ok: true, value });

/** Any thrown value as an `ok:false` reply; unknown errors render as "internal error". */
export const errorReply = (error: unknown): WireReply => ({ ok: false, error: errorToWireText(error) });

/** One JSON object, no trailing newline (the original's exact framing). */
export function encodeReply(reply: WireReply, encoder: Encoder = jsonEncoder): Uint8Array {
  return encoder.encode(reply);
}

/** Where decoded bytes came from, for the wording of protocol errors. */
export interface DecodeContext {
  socket: string;
  stream?: boolean;
  encoder?: Encoder;
}

/** Reply bytes to its `value`; `ok:false` throws the remote error, anything malformed a protocol error. */
export function decodeReplyValue(bytes: Uint8Array, context: DecodeContext): unknown {
  let parsed: unknown;
  try {
    parsed = (context.encoder ?? jsonEncoder).decode(bytes);
  } catch {
    throw protocolError(context.socket, bytes.length === 0 ? 'empty response' : 'unparsable response JSON', context.stream ?? false);
  }
  return replyValue(parsed, context);
}

/** An already-parsed reply object to its `value` (shared with multiplexed frames). */
export function replyValue(parsed: unknown, context: DecodeContext): unknown {
  const [error, reply] = validate(parsed, wireSchemas().WireReplyShape);
  if (error) throw protocolError(context.socket, 'reply is not an {ok, value|error} object', context.stream ?? false);
  if (!reply.ok) throw errorFromWireText(reply.error, { socket: context.socket });
  if (reply.value === undefined) throw protocolError(context.socket, 'missing value in aivaultd response', context.stream ?? false);
  return reply.value;
}

export function decodeBrokerResult(value: unknown, context: DecodeContext): BrokerResult {
  const [error, result] = validate(value, wireSchemas().WireBrokerResult);
  if (error) {
    // The CLI prints what it can from a partial value (cli.md §7.6: raw output needs only
    // `response.bodyB64`), so the value travels with the protocol error.
    const protocol = protocolError(context.socket, 'malformed result value', false);
    throw new BrokerError({ code: protocol.code, message: protocol.message, details: { ...protocol.details, resultValue: value }, fromWire: true });
  }
  return {
    planned: { ...result.planned },
    response: {
      status: result.response.status,
      headers: result.response.headers.map((h) => ({ name: h.name, value: h.value })),
      bodyUtf8: result.response.bodyUtf8,
      bodyB64: result.response.bodyB64,
    },
  };
}

export function decodeDaemonStatus(value: unknown, context: DecodeContext): DaemonStatus {
  const [error, status] = validate(value, wireSchemas().WireDaemonStatus);
  if (error) throw protocolError(context.socket, 'malformed status value', false);
  return { locked: status.locked };
}

export function decodeHealth(value: unknown, context: DecodeContext): HealthValue {
  const [error, health] = validate(value, wireSchemas().WireHealth);
  if (error) throw protocolError(context.socket, 'malformed health value', false);
  return { ok: true, capability: health.capability };
}

export const chunkFrame = (bytes: Uint8Array): StreamFrame => ({ type: 'chunk', bodyB64: base64Encode(bytes) });
export const errorFrame = (error: unknown): StreamFrame => ({ type: 'error', error: errorToWireText(error) });
export const END_FRAME: StreamFrame = { type: 'end' };

/** A frame followed by `\n`. */
export function encodeStreamFrame(frame: StreamFrame, encoder: Encoder = jsonEncoder): Uint8Array {
  return encodeLine(frame, encoder);
}

/**
 * A body stream as frames: one `chunk` per non-empty piece, then exactly one terminal frame.
 * Never throws: a failure (also one raised before the first chunk) becomes the `error` frame.
 */
export async function* streamFrames(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamFrame, void, undefined> {
  try {
    for await (const chunk of body) if (chunk.length > 0) yield chunkFrame(chunk);
  } catch (error) {
    yield errorFrame(error);
    return;
  }
  yield END_FRAME;
}

export type DecodedStreamLine = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };

/**
 * One stream line. An `error` frame, or a non-frame `{"ok":false}` reply (sent for parse
 * failures even to stream requests), throws the remote error; anything else malformed throws
 * the streaming protocol error.
 */
export function decodeStreamLine(line: Uint8Array, context: DecodeContext): DecodedStreamLine {
  let parsed: unknown;
  try {
    parsed = (context.encoder ?? jsonEncoder).decode(line);
  } catch {
    throw protocolError(context.socket, 'unparsable stream frame', true);
  }
  return streamFrameValue(parsed, context);
}

export function streamFrameValue(parsed: unknown, context: DecodeContext): DecodedStreamLine {
  if (typeof parsed === 'object' && parsed !== null && 'ok' in parsed) {
    replyValue(parsed, { ...context, stream: true });
    throw protocolError(context.socket, 'unexpected non-frame reply', true);
  }
  const [error, frame] = validate(parsed, wireSchemas().WireStreamFrame);
  if (error) throw protocolError(context.socket, 'bad stream frame', true);
  if (frame.type === 'error') throw errorFromWireText(frame.error, { socket: context.socket });
  if (frame.type === 'end') return { type: 'end' };
  const bytes = base64DecodeStrict(frame.bodyB64);
  if (bytes === null) throw protocolError(context.socket, 'invalid base64 in chunk frame', true);
  return { type: 'chunk', bytes };
}

/** "stream ended before daemon end frame". */
export function streamEndedEarly(context: DecodeContext): Error {
  return protocolError(context.socket, 'stream ended before daemon end frame', true);
}
