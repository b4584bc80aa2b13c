/**
 * Turns invocation flags into the wire envelope: payload mode (`--request`/`--request-file`) or
 * manual mode (`--method`, `--path`, `--header`, body flags), with the contract's messages.
 *
 * @see ../../../../shared/spec/cli.md §7.2, daemon.md §6
 */
import { StructError, validate } from 'superstruct';
import { EnvelopeShape, RequestShape } from '../../core/broker/envelope-schema.js';
import type { Envelope, EnvelopeHeader } from '../../core/broker/types.js';
import { inputError } from '../errors.js';

/** Methods and path prefixes of a known capability (the registry's shape, or a stored capability). */
export interface CapabilityShapeLike {
  readonly methods: readonly string[];
  readonly pathPrefixes: readonly string[];
}

/** Invocation flags as typed by the operator (strings untrimmed). */
export interface InvokeFlagValues {
  method?: string | undefined;
  path?: string | undefined;
  headers: readonly string[];
  body?: string | undefined;
  bodyFilePath?: string | undefined;
  multipartFields: readonly string[];
  multipartFiles: readonly string[];
  /** The payload text of `--request` or the contents of `--request-file`. */
  payload?: string | undefined;
  credential?: string | undefined;
}

/** The fully spelled-out envelope the original client sends (every key, `null` for absent values). */
export interface WireEnvelope {
  capability: string;
  credential: string | null;
  request: {
    method: string;
    path: string;
    headers: EnvelopeHeader[];
    body: string | null;
    multipart: Record<string, string> | null;
    multipartFiles: Array<{ field: string; path: string }>;
    bodyFilePath: string | null;
    url: string | null;
  };
}

/** Which manual flags were given; payload mode refuses every one of them. */
export function hasManualRequestFlags(flags: InvokeFlagValues): boolean {
  return (
    flags.method !== undefined ||
    flags.path !== undefined ||
    flags.headers.length > 0 ||
    flags.body !== undefined ||
    flags.bodyFilePath !== undefined ||
    flags.multipartFields.length > 0 ||
    flags.multipartFiles.length > 0
  );
}

/**
 * Builds the envelope for `capability` from flags. `shape` is what is known locally about the
 * capability (`undefined`: nothing, so `--method`/`--path` are mandatory).
 *
 * @see ../../../../shared/spec/cli.md §7.2
 */
export function buildEnvelope(capability: string, flags: InvokeFlagValues, shape: CapabilityShapeLike | undefined): WireEnvelope {
  const credentialFlag = flags.credential;
  if (flags.payload !== undefined) return fromPayload(capability, flags.payload, credentialFlag);

  const method = pick('method', flags.method, shape?.methods, 'methods');
  const path = pick('path', flags.path, shape?.pathPrefixes, 'path prefixes');
  const headers = flags.headers.map(parseHeader);
  const fields = flags.multipartFields.map((raw) => splitKeyValue(raw, 'multipart-field'));
  const files = flags.multipartFiles.map((raw) => splitKeyValue(raw, 'multipart-file'));
  const multipart: Record<string, string> = {};
  for (const [key, value] of fields) {
    if (Object.hasOwn(multipart, key)) throw inputError(`duplicate multipart field '${key}'`);
    multipart[key] = value;
  }
  const modes = [flags.body !== undefined, flags.bodyFilePath !== undefined, fields.length + files.length > 0].filter(Boolean).length;
  if (modes > 1) throw inputError('only one of --body, --body-file-path, or multipart flags is allowed');
  const credential = credentialFlag?.trim() ?? '';
  return {
    capability,
    credential: credential === '' ? null : credential,
    request: {
      method,
      path,
      headers,
      body: flags.body ?? null,
      multipart: fields.length > 0 ? multipart : null,
      multipartFiles: files.map(([field, path]) => ({ field, path })),
      bodyFilePath: flags.bodyFilePath ?? null,
      url: null,
    },
  };
}

/**
 * `NAME=VALUE` or `Name: value`: the separator is whichever of `=`/`:` comes first; whitespace
 * after `:` is trimmed (Decision 14/18).
 */
export function parseHeader(raw: string): EnvelopeHeader {
  const eq = raw.indexOf('=');
  const colon = raw.indexOf(':');
  const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
  if (at < 0) throw inputError(`invalid --header '${raw}'; expected KEY=VALUE`);
  const name = raw.slice(0, at).trim();
  if (name === '') throw inputError(`invalid --header '${raw}'; key cannot be empty`);
  const value = raw.slice(at + 1);
  return { name, value: at === colon ? value.trimStart() : value };
}

// --- internal ---

function fromPayload(capability: string, text: string, credentialFlag: string | undefined): WireEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw inputError(`invalid request payload JSON: ${(error as Error).message}`);
  }
  const [envelopeError, envelope] = validate(json, EnvelopeShape);
  let parsed: Envelope;
  if (envelope !== undefined) {
    parsed = envelope as Envelope;
  } else {
    const [requestError, request] = validate(json, RequestShape);
    if (request === undefined) throw inputError(`invalid request payload JSON: ${structDetail(looksLikeEnvelope(json) ? envelopeError : requestError)}`);
    parsed = { capability: '', credential: null, request: request as Envelope['request'] };
  }
  const payloadCapability = parsed.capability.trim();
  if (payloadCapability !== '' && payloadCapability !== capability) {
    throw inputError(`request capability '${payloadCapability}' does not match command capability '${capability}'`);
  }
  let credential = parsed.credential ?? null;
  if (credentialFlag !== undefined) {
    const trimmed = credentialFlag.trim();
    if (trimmed === '') throw inputError('--credential cannot be empty');
    if (credential !== null && credential.trim() !== '') throw inputError('credential provided in both payload and --credential');
    credential = trimmed;
  }
  const r = parsed.request;
  return {
    capability,
    credential,
    request: {
      method: r.method,
      path: r.path,
      headers: r.headers ?? [],
      body: r.body ?? null,
      multipart: r.multipart ?? null,
      multipartFiles: r.multipartFiles ?? [],
      bodyFilePath: r.bodyFilePath ?? null,
      url: r.url ?? null,
    },
  };
}

function looksLikeEnvelope(json: unknown): boolean {
  return typeof json === 'object' && json !== null && ('request' in json || 'capability' in json);
}

function structDetail(error: StructError | undefined): string {
  if (error === undefined) return 'unrecognised payload';
  const failure = error.failures()[0] ?? error;
  const at = failure.path.length > 0 ? ` at '${failure.path.join('.')}'` : '';
  if (failure.value === undefined && failure.type !== 'never') return `missing field '${String(failure.key)}'${at}`;
  if (failure.type === 'never') return `unknown field '${String(failure.key)}'${at}`;
  return `expected ${failure.type}${at}`;
}

function pick(flag: 'method' | 'path', given: string | undefined, allowed: readonly string[] | undefined, noun: string): string {
  if (given !== undefined) {
    const trimmed = given.trim();
    if (trimmed === '') throw inputError(`--${flag} cannot be empty`);
    return trimmed;
  }
  if (allowed === undefined) throw inputError(`--${flag} is required (capability policy not available locally)`);
  if (allowed.length === 1) return allowed[0]!;
  throw inputError(`--${flag} is required because capability allows multiple ${noun}: ${allowed.join(', ')}`);
}

function splitKeyValue(raw: string, flag: string): [string, string] {
  const at = raw.indexOf('=');
  if (at < 0) throw inputError(`invalid --${flag} '${raw}'; expected KEY=VALUE`);
  const key = raw.slice(0, at).trim();
  if (key === '') throw inputError(`invalid --${flag} '${raw}'; key cannot be empty`);
  return [key, raw.slice(at + 1)];
}
