/**
 * The mint request of `POST /aivault/tokens/proxy` (transports.md §6.1): unknown keys rejected,
 * JSON `null` for an optional field means absent. Any failure is `invalid_request`.
 *
 * @see ../../../../shared/spec/transports.md §6.1
 */
import { array, create, integer, nullable, object, optional, record, refine, size, string, StructError, type Infer } from 'superstruct';
import { invalidRequest } from '../broker-error.js';
import { describeStructFailure } from '../struct-failure.js';

/** A mint request after validation. */
export interface MintRequest {
  capabilities: string[];
  /** Trimmed; `null` when absent or blank. */
  credential: string | null;
  ttlMs: number;
  context: Record<string, string>;
}

/**
 * Bounds of one request, so the in-memory store stays small whatever the operator sends (the
 * store also caps how many tokens are live). Generous for real ids and context values.
 */
export const MINT_LIMITS = { capabilities: 256, idChars: 256, contextEntries: 32, contextKeyChars: 64, contextValueChars: 1024 } as const;

const MintShape = object({
  capabilities: size(array(size(string(), 0, MINT_LIMITS.idChars)), 0, MINT_LIMITS.capabilities),
  credential: optional(nullable(size(string(), 0, MINT_LIMITS.idChars))),
  ttlMs: integer(),
  context: optional(nullable(refine(record(size(string(), 0, MINT_LIMITS.contextKeyChars), size(string(), 0, MINT_LIMITS.contextValueChars)), 'size', (value) => Object.keys(value).length <= MINT_LIMITS.contextEntries))),
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
    if (error instanceof StructError) throw invalidRequest(INVALID_MINT_PREFIX + describeStructFailure(error, { root: 'request' }), { path: error.path });
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
