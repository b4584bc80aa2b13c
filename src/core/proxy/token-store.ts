/**
 * Proxy tokens (transports.md §6): minted by the operator, kept in memory only, validated by
 * lookup (the string is opaque: a well-formed forgery is simply not found). The store applies
 * the mint rules that need no vault state (ttl, token string, storage); the credential checks of
 * rule 3 are the caller's `check`, run between rule 2 and rule 4 so the order holds.
 *
 * @see ../../../../shared/spec/transports.md §6, spec/README.md Decision 15
 */
import { BrokerError, invalidRequest, policyViolation } from '../broker-error.js';
import type { Clock, CryptoPort } from '../ports.js';
import { parseMintRequest, type MintRequest } from './mint-schema.js';
import type { CallerAuth, ProxyTokenRecord } from './types.js';

/** Every token starts with this; the rest is 32 lower-case hex digits. */
export const PROXY_TOKEN_PREFIX = 'avp_';

export interface ProxyTokenStoreOptions {
  clock: Clock;
  /** `randomUUID` supplies the token's randomness. */
  crypto: Pick<CryptoPort, 'randomUUID'>;
  /** Live (unexpired) tokens kept at most; a mint past it is refused. @default 10 000 */
  maxTokens?: number;
}

/** Default cap of live tokens: per-execution tokens of minutes each leave ample room. */
export const MAX_LIVE_TOKENS = 10_000;

export interface ProxyTokenStore {
  /**
   * Rules 2-5 of §6.1 on an untrusted request (rule 1, operator auth, is the service's):
   * schema, `ttlMs` > 0, `check` (rule 3), then a fresh token stored with `expiresAtMs` = now + ttl.
   * Expired records are purged here; past `maxTokens` live records a mint is refused.
   */
  mint(input: unknown, check?: (request: MintRequest) => Promise<void>): Promise<ProxyTokenRecord>;
  /** The record for a proxy caller, or `token_invalid` (required / not found / expired; an expired record is dropped). */
  validate(auth: CallerAuth): ProxyTokenRecord;
  /** Number of stored records, expired ones not yet purged included (tests and diagnostics). */
  size(): number;
}

/** @example const tokens = createProxyTokenStore({ clock, crypto: globalThis.crypto }) */
export function createProxyTokenStore(options: ProxyTokenStoreOptions): ProxyTokenStore {
  const { clock, crypto } = options;
  const maxTokens = options.maxTokens ?? MAX_LIVE_TOKENS;
  const records = new Map<string, ProxyTokenRecord>();
  const expired = (record: ProxyTokenRecord, now: number) => record.expiresAtMs <= now;
  const purge = (now: number) => {
    for (const [token, record] of records) if (expired(record, now)) records.delete(token);
  };
  const fresh = (): string => {
    for (;;) {
      const token = PROXY_TOKEN_PREFIX + crypto.randomUUID().replaceAll('-', '').toLowerCase();
      if (!records.has(token)) return token;
    }
  };
  return {
    async mint(input, check) {
      const request = parseMintRequest(input);
      if (request.ttlMs <= 0) throw invalidRequest('ttlMs must be positive');
      if (!Number.isSafeInteger(clock.now() + request.ttlMs)) throw invalidRequest('ttlMs is too large');
      checkContext(request.context);
      await check?.(request);
      const now = clock.now();
      purge(now);
      if (records.size >= maxTokens) throw policyViolation('too many live proxy tokens');
      const record: ProxyTokenRecord = {
        token: fresh(),
        capabilities: request.capabilities,
        credential: request.credential,
        expiresAtMs: now + request.ttlMs,
        context: request.context,
      };
      records.set(record.token, record);
      return copy(record);
    },
    validate(auth) {
      if (auth.class !== 'proxy' || auth.token.trim() === '') throw tokenInvalid('proxy token required');
      const record = records.get(auth.token);
      if (record === undefined) throw tokenInvalid('proxy token not found');
      if (expired(record, clock.now())) {
        records.delete(auth.token);
        throw tokenInvalid('proxy token expired');
      }
      return copy(record);
    },
    size: () => records.size,
  };
}

/**
 * The call's timeout from a token's context (spec/README.md "HTTP transport": workspace/group
 * context and timeout come from the proxy token's context), or `null` when it names none.
 */
export function contextTimeoutMs(context: Readonly<Record<string, string>>): number | null {
  const text = context.timeoutMs;
  return text === undefined ? null : Number(text);
}

// --- internal ---

/** `context.timeoutMs` is the one context value the broker interprets: a whole number of ms. */
function checkContext(context: Record<string, string>): void {
  const timeout = context.timeoutMs;
  if (timeout !== undefined && !/^[0-9]{1,15}$/.test(timeout)) {
    throw invalidRequest('context.timeoutMs must be a whole number of milliseconds');
  }
}

function tokenInvalid(message: string): BrokerError {
  return new BrokerError({ code: 'token_invalid', message });
}

function copy(record: ProxyTokenRecord): ProxyTokenRecord {
  return { ...record, capabilities: [...record.capabilities], context: { ...record.context } };
}
