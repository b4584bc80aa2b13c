/**
 * The proxy envelope schema (broker.md §3.1-§3.2): unknown keys rejected at the envelope level,
 * in `request` and in `multipartFiles[]`; header items lenient (extra keys ignored); JSON `null`
 * for an optional field means absent. Any failure is `invalid_request` "invalid envelope JSON: …".
 *
 * @see ../../../shared/spec/broker.md §3
 */
import { array, create, lazy, nullable, object, optional, record, string, type, StructError, type Infer } from 'superstruct';
import { invalidRequest } from '../broker-error.js';
import type { Envelope } from './types.js';
import { describeStructFailure } from '../struct-failure.js';

function buildShapes() {
  const HeaderItem = type({ name: string(), value: string() });
  const MultipartFile = object({ field: string(), path: string() });
  const RequestShape = object({
    method: string(),
    path: string(),
    headers: optional(nullable(array(HeaderItem))),
    body: optional(nullable(string())),
    multipart: optional(nullable(record(string(), string()))),
    multipartFiles: optional(nullable(array(MultipartFile))),
    bodyFilePath: optional(nullable(string())),
    url: optional(nullable(string())),
  });
  const EnvelopeShape = object({
    capability: string(),
    credential: optional(nullable(string())),
    request: RequestShape,
  });
  return { RequestShape, EnvelopeShape };
}

let shapes: ReturnType<typeof buildShapes> | undefined;

/**
 * The envelope schemas, built on first use rather than at import (the thin CLI bundles this
 * module through the protocol codec). Hot paths embed these directly.
 */
export function envelopeShapes(): ReturnType<typeof buildShapes> {
  return (shapes ??= buildShapes());
}

/** The `request` object; exported for clients that accept a bare request payload (`aivault invoke --request`). */
export const RequestShape = lazy(() => envelopeShapes().RequestShape);

export const EnvelopeShape = lazy(() => envelopeShapes().EnvelopeShape);

/** An envelope as `EnvelopeShape` accepts it, before normalisation. */
export type RawEnvelope = Infer<ReturnType<typeof buildShapes>['EnvelopeShape']>;

/**
 * Envelopes known to conform to `EnvelopeShape` (nulls and all): built by the daemon's wire decoder
 * after its own schema (which embeds `EnvelopeShape`) accepted them. `broker.handle` only
 * normalises these instead of validating them a second time.
 */
const validated = new WeakSet<Envelope>();

/** Records `envelope` as already validated against `EnvelopeShape`; returns it. */
export function markValidated<T extends Envelope>(envelope: T): T {
  validated.add(envelope);
  return envelope;
}

/** True when `envelope` was recorded by `markValidated`. */
export function isValidated(envelope: unknown): envelope is Envelope {
  return typeof envelope === 'object' && envelope !== null && validated.has(envelope as Envelope);
}

/** Message prefix of every schema failure. */
export const INVALID_ENVELOPE_PREFIX = 'invalid envelope JSON: ';

/**
 * Validates an untrusted value as an envelope and normalises it: `null` optionals become absent,
 * header items keep only `name`/`value`.
 *
 * @example parseEnvelope(JSON.parse(text))
 * @see ../../../shared/spec/broker.md §3.2
 */
export function parseEnvelope(value: unknown): Envelope {
  let raw: RawEnvelope;
  try {
    raw = create(value, envelopeShapes().EnvelopeShape);
  } catch (error) {
    if (error instanceof StructError) throw invalidRequest(INVALID_ENVELOPE_PREFIX + describeStructFailure(error, { root: 'envelope', unknownFieldIn: true }), { path: error.path });
    throw invalidRequest(`${INVALID_ENVELOPE_PREFIX}malformed envelope`);
  }
  return normaliseEnvelope(raw);
}

/** Parses envelope JSON text (a JSON syntax error is the same `invalid_request`). */
export function parseEnvelopeJson(text: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'malformed JSON';
    throw invalidRequest(INVALID_ENVELOPE_PREFIX + detail);
  }
  return parseEnvelope(value);
}

/**
 * Normalises a value that already passed `EnvelopeShape` into a fresh envelope: `null` optionals
 * become absent, header items keep only `name`/`value`, unknown keys are not copied.
 */
export function normaliseEnvelope(raw: RawEnvelope): Envelope {
  const r = raw.request;
  const request: Envelope['request'] = { method: r.method, path: r.path };
  if (r.headers != null) request.headers = r.headers.map((h) => ({ name: h.name, value: h.value }));
  if (r.body != null) request.body = r.body;
  if (r.multipart != null) request.multipart = { ...r.multipart };
  if (r.multipartFiles != null) request.multipartFiles = r.multipartFiles.map((f) => ({ field: f.field, path: f.path }));
  if (r.bodyFilePath != null) request.bodyFilePath = r.bodyFilePath;
  if (r.url != null) request.url = r.url;
  const envelope: Envelope = { capability: raw.capability, request };
  if (raw.credential != null) envelope.credential = raw.credential;
  return envelope;
}
