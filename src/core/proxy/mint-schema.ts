/**
 * The mint request of `POST /aivault/tokens/proxy` (transports.md §6.1): unknown keys rejected,
 * JSON `null` for an optional field means absent. Any failure is `invalid_request`.
 *
 * @see ../../../../shared/spec/transports.md §6.1
 */
import { array, create, integer, nullable, object, optional, record, string, StructError, type Infer } from 'superstruct';
import { invalidRequest } from '../broker-error.js';

/** A mint request after validation. */
export interface MintRequest {
  capabilities: string[];
  /** Trimmed; `null` when absent or blank. */
  credential: string | null;
  ttlMs: number;
  context: Record<string, string>;
}

const MintShape = object({
  capabilities: array(string()),
  credential: optional(nullable(string())),
  ttlMs: integer(),
  context: optional(nullable(record(string(), string()))),
});

/** Message prefix of every schema failure. */
export const INVALID_MINT_PREFIX = 'invalid token request JSON: ';

/**
 * Validates an untrusted mint request (schema only; the ordered rules run in the token store).
 *
 * @example parseMintRequest({ capabilities: ['acme/users'], ttlMs: 60000 })
 */
export function parseMintRequest(value: unknown): MintRequest {
  let raw: Infer<typeof MintShape>;
  try {
    raw = create(value, MintShape);
  } catch (error) {
    if (error instanceof StructError) throw invalidRequest(INVALID_MINT_PREFIX + describe(error), { path: error.path });
    throw invalidRequest(`${INVALID_MINT_PREFIX}malformed request`);
  }
  const credential = raw.credential?.trim() ?? '';
  return {
    capabilities: [...raw.capabilities],
    credential: credential === '' ? null : credential,
    ttlMs: raw.ttlMs,
    context: { ...(raw.context ?? {}) },
  };
}

// --- internal ---

function describe(error: StructError): string {
  const failure = error.failures()[0] ?? error;
  const where = failure.path.length > 0 ? failure.path.map(String).join('.') : 'request';
  if (failure.type === 'never') return `unknown field \`${String(failure.key)}\``;
  if (failure.value === undefined) return `missing field \`${where}\``;
  return `invalid type at \`${where}\`: expected ${failure.type}`;
}
