/**
 * Requests: decoded once at the daemon boundary into a typed `WireRequest`, encoded by clients in
 * the original client's exact shape (every key present, `null` for absent values).
 *
 * @see ../../../shared/spec/daemon.md §5.2, spec/README.md Decision 18
 */
import { validate, type Struct, type StructError } from 'superstruct';
import { markValidated, type RawEnvelope } from '../broker/envelope-schema.js';
import type { Envelope } from '../broker/types.js';
import { base64DecodeStrict, base64Encode } from '../encoding.js';
import type { InvokeRequest } from '../transport.js';
import { DEFAULT_READ_MAX_BYTES, formatByteLimit, jsonEncoder, type Encoder } from './frame.js';
import { WIRE_OPS, wireSchemas, type WireOp } from './schemas.js';
import { requestParseError } from './wire-errors.js';

export interface ExecuteWireRequest {
  op: 'execute_envelope' | 'execute_envelope_stream';
  envelope: Envelope;
  clientIp: string;
  timeoutMs: number | null;
  workspaceId: string | null;
  groupId: string | null;
}

export type WireRequest =
  | ExecuteWireRequest
  | { op: 'unlock'; key: Uint8Array }
  | { op: 'lock' }
  | { op: 'status' }
  | { op: 'multiplex'; version: number };

/** The health probe's capability id (daemon.md §5.4). */
export const HEALTH_CAPABILITY = '__aivault/health';

/** Bytes (up to the half-close) to a request; throws `invalid request JSON: <detail>`. */
export function decodeRequest(
  bytes: Uint8Array,
  options: { readMaxBytes?: number; encoder?: Encoder } = {},
): WireRequest {
  const max = options.readMaxBytes ?? DEFAULT_READ_MAX_BYTES;
  if (bytes.length > max) throw requestParseError(`request exceeds ${formatByteLimit(max)}`);
  let value: unknown;
  try {
    value = (options.encoder ?? jsonEncoder).decode(bytes);
  } catch (error) {
    throw requestParseError(describeJsonError(error, bytes.length));
  }
  return parseRequestValue(value);
}

/** An already-parsed JSON value to a request (multiplexed frames carry requests as values). */
export function parseRequestValue(value: unknown): WireRequest {
  const head = check(value, wireSchemas().WireHead);
  const op = head.op;
  if (!isWireOp(op)) throw requestParseError(/^[a-z_]{1,40}$/.test(op) ? `unknown op \`${op}\`` : 'unknown op');
  return PARSERS[op](value);
}

/** The original client's request shape, key order included. */
export function encodeExecuteRequest(
  op: ExecuteWireRequest['op'],
  request: InvokeRequest,
  encoder: Encoder = jsonEncoder,
): Uint8Array {
  return encoder.encode(executeRequestValue(op, request));
}

export function executeRequestValue(op: ExecuteWireRequest['op'], request: InvokeRequest): Record<string, unknown> {
  const e = request.envelope;
  const r = e.request;
  return {
    op,
    envelope: {
      capability: e.capability,
      credential: e.credential ?? null,
      request: {
        method: r.method,
        path: r.path,
        headers: (r.headers ?? []).map((h) => ({ name: h.name, value: h.value })),
        body: r.body ?? null,
        multipart: r.multipart ?? null,
        multipartFiles: (r.multipartFiles ?? []).map((f) => ({ field: f.field, path: f.path })),
        bodyFilePath: r.bodyFilePath ?? null,
        url: r.url ?? null,
      },
    },
    client_ip: request.clientIp,
    timeoutMs: request.timeoutMs ?? null,
    workspace_id: request.workspaceId ?? null,
    group_id: request.groupId ?? null,
  };
}

export type ControlWireRequest = { op: 'unlock'; key: Uint8Array } | { op: 'lock' } | { op: 'status' };

export function controlRequestValue(request: ControlWireRequest): Record<string, unknown> {
  return request.op === 'unlock' ? { op: 'unlock', key: base64Encode(request.key) } : { op: request.op };
}

export function encodeControlRequest(request: ControlWireRequest, encoder: Encoder = jsonEncoder): Uint8Array {
  return encoder.encode(controlRequestValue(request));
}

/** The health probe: a plain `execute_envelope` for `__aivault/health`. */
export function healthRequest(clientIp = '127.0.0.1'): InvokeRequest {
  return { envelope: { capability: HEALTH_CAPABILITY, request: { method: 'GET', path: '/' } }, clientIp };
}

// --- internal ---

const PARSERS = {
  execute_envelope: (value) => parseExecute(value, 'execute_envelope'),
  execute_envelope_stream: (value) => parseExecute(value, 'execute_envelope_stream'),
  unlock: (value) => {
    const key = base64DecodeStrict(check(value, wireSchemas().WireUnlockRequest).key);
    if (key === null || key.length === 0) throw requestParseError('invalid base64 in field `key`');
    return { op: 'unlock', key };
  },
  lock: (value) => (check(value, wireSchemas().WireBareRequest), { op: 'lock' }),
  status: (value) => (check(value, wireSchemas().WireBareRequest), { op: 'status' }),
  multiplex: (value) => ({ op: 'multiplex', version: check(value, wireSchemas().WireMultiplexRequest).version ?? 1 }),
} satisfies Record<WireOp, (value: unknown) => WireRequest>;

function parseExecute(value: unknown, op: ExecuteWireRequest['op']): ExecuteWireRequest {
  const v = check(value, wireSchemas().WireExecuteRequest);
  return {
    op,
    envelope: toEnvelope(v.envelope),
    clientIp: v.client_ip,
    timeoutMs: v.timeoutMs ?? null,
    workspaceId: v.workspace_id ?? null,
    groupId: v.group_id ?? null,
  };
}

/**
 * The envelope as the client sent it (nulls kept, like the original), recorded as validated: the
 * request schema embeds the broker's `EnvelopeShape`, so the broker does not check it again.
 */
function toEnvelope(wire: RawEnvelope): Envelope {
  const r = wire.request;
  const request: Envelope['request'] = { method: r.method, path: r.path };
  if (r.headers != null) request.headers = r.headers.map((h) => ({ name: h.name, value: h.value }));
  if (r.body !== undefined) request.body = r.body;
  if (r.multipart !== undefined) request.multipart = r.multipart;
  if (r.multipartFiles != null) request.multipartFiles = r.multipartFiles.map((f) => ({ field: f.field, path: f.path }));
  if (r.bodyFilePath !== undefined) request.bodyFilePath = r.bodyFilePath;
  if (r.url !== undefined) request.url = r.url;
  const envelope: Envelope = { capability: wire.capability, request };
  if (wire.credential !== undefined) envelope.credential = wire.credential;
  return markValidated(envelope);
}

function isWireOp(op: string): op is WireOp {
  return (WIRE_OPS as readonly string[]).includes(op);
}

function check<T, S>(value: unknown, struct: Struct<T, S>): T {
  const [error, result] = validate(value, struct);
  if (error) throw requestParseError(describeStructError(error));
  return result;
}

/** Names the field and the expected type; never echoes a value (it could be a secret). */
function describeStructError(error: StructError): string {
  const failure = error.failures()[0] ?? error;
  const path = failure.path.map(String).join('.');
  if (path === '') return 'expected a JSON object';
  if (failure.type === 'never') return `unknown field \`${path}\``;
  if (failure.value === undefined) return `missing field \`${path}\``;
  if (failure.refinement === 'min') return `invalid value at \`${path}\`: expected a non-negative integer`;
  return `invalid type at \`${path}\`: expected ${failure.type}`;
}

function describeJsonError(error: unknown, length: number): string {
  if (error instanceof TypeError) return 'request is not valid UTF-8';
  if (length === 0) return 'EOF while parsing a value';
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of JSON input/.test(message)) return 'EOF while parsing a value';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return 'malformed JSON';
  return Number(position) >= length ? 'EOF while parsing a value' : `malformed JSON at position ${position}`;
}
