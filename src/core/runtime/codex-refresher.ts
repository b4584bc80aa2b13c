/**
 * Invocation-time refresh of the Codex OAuth token document (`CODEX_OAUTH_JSON`): decrypt it when
 * a Codex credential is about to be used; when it expires within 10 minutes, POST the refresh form
 * to the token endpoint, rotate the secret to the new document and render with that.
 *
 * The refresh runs only when a Codex credential is actually chosen, so a failing refresh fails
 * Codex invocations only (the original aborts every invocation: registry.md §7.5 Notes), and
 * concurrent invocations of one daemon refresh a document once (one-time refresh tokens).
 *
 * @see ../../../../shared/spec/registry.md §7.5, security.md §4.3, §9
 */
import { BrokerError, policyViolation } from '../broker-error.js';
import { utf8DecodeStrict, utf8Encode, wipe } from '../encoding.js';
import { DEFAULT_TIMEOUT_MS, type TimerPort } from '../broker/options.js';
import { encodeQuery } from '../broker/query.js';
import { readLimited } from '../broker/response.js';
import { redactMessage } from '../broker/safe-url.js';
import { isBlockedHost, SSRF_BLOCKED_MESSAGE } from '../broker/ssrf.js';
import type { Clock, UpstreamPort } from '../ports.js';
import {
  buildRefreshedCodexDocument,
  CODEX_TOKEN_ENDPOINT,
  codexError,
  codexRefreshForm,
  isDocumentFresh,
  parseCodexDocument,
  type CodexDocument,
} from '../registry/codex-oauth.js';
import { parseSecretRef } from '../registry/secret-ref.js';
import type { ResolveOptions, Vault } from '../vault/types.js';

export interface CodexRefresherOptions {
  /** The upstream client (no redirects; connect-time SSRF check). */
  upstream: UpstreamPort;
  clock: Clock;
  timer: TimerPort;
  /**
   * The dev override `AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT`, mapped here by the bins.
   * @default 'https://auth.openai.com/oauth/token'
   */
  tokenEndpoint?: string;
  /** Accept an `http` token endpoint (`AIVAULT_DEV_ALLOW_HTTP_LOCAL`). @default false */
  allowHttp?: boolean;
  /** Whole token exchange. @default 30000 */
  timeoutMs?: number;
}

export interface CodexLoadRequest {
  vault: Vault;
  /** `vault:secret:<id>` of the token document. */
  secretRef: string;
  /** Scope context and `secret.used` labels of the read. */
  resolve: ResolveOptions;
}

/** Long-lived (one per broker service): it serialises reads and refreshes per secret. */
export interface CodexRefresher {
  /** The token document's bytes, refreshed and rotated first when stale. The caller wipes them. */
  load(request: CodexLoadRequest): Promise<Uint8Array>;
}

const TOKEN_RESPONSE_LIMIT = 1_048_576;

/**
 * @example
 * const refreshCodex = createCodexRefresher({ upstream, clock, timer })
 * await createRuntimeState({ ...deps, refreshCodex })
 * @see ../../../../shared/spec/registry.md §7.5
 */
export function createCodexRefresher(options: CodexRefresherOptions): CodexRefresher {
  const { upstream, clock, timer } = options;
  const endpoint = options.tokenEndpoint ?? CODEX_TOKEN_ENDPOINT;
  const allowHttp = options.allowHttp ?? false;
  const requestedTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeoutMs = Number.isFinite(requestedTimeout) && requestedTimeout >= 1 ? Math.floor(requestedTimeout) : 1;
  const tails = new Map<string, Promise<void>>();

  /** Runs `fn` after every earlier call for `key` has settled. */
  async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  }

  async function refresh(request: CodexLoadRequest, doc: CodexDocument): Promise<Uint8Array> {
    const form = codexRefreshForm(doc);
    const url = checkCodexTokenEndpoint(endpoint, allowHttp);
    const secrets = tokenValues(doc);
    const issuedAtMs = clock.now();
    const controller = new AbortController();
    const cancel = timer.after(timeoutMs, () => controller.abort());
    let status: number;
    let text: string;
    try {
      const response = await upstream({
        url,
        method: 'POST',
        headers: [
          ['content-type', 'application/x-www-form-urlencoded'],
          ['accept', 'application/json'],
        ],
        body: utf8Encode(encodeQuery(form)),
        signal: controller.signal,
      });
      status = response.status;
      const body = await readLimited(response.body, TOKEN_RESPONSE_LIMIT, 'Codex OAuth token response is too large', controller.signal, 'oauth_error');
      text = utf8DecodeStrict(body) ?? '';
    } catch (error) {
      if (error instanceof BrokerError && (error.code === 'policy_violation' || error.code === 'oauth_error')) throw error;
      const detail = controller.signal.aborted ? 'operation timed out' : error instanceof Error ? error.message : 'request failed';
      throw codexError(redactMessage(`Codex OAuth token request failed: ${detail}`, url, url, secrets));
    } finally {
      cancel();
    }
    if (status < 200 || status > 299) {
      throw codexError(redactMessage(`Codex OAuth token endpoint returned ${status}: ${text}`, url, url, secrets));
    }
    let token: unknown;
    try {
      token = JSON.parse(text);
    } catch {
      throw codexError('Codex OAuth token response must be JSON');
    }
    const now = clock.now();
    const next = buildRefreshedCodexDocument(doc, token, issuedAtMs, now);
    // Derived only if the new expiry is in the future (registry.md §7.5).
    if (next.expiresAtMs <= now) throw codexError('Codex OAuth token response is already expired');
    const bytes = utf8Encode(next.text);
    // The vault gets its own copy (it does not wipe its input): wiped once written, and the
    // caller's bytes are wiped too when the write fails (no plaintext outlives the call).
    const written = bytes.slice();
    try {
      await request.vault.rotateSecret(parseSecretRef(request.secretRef), written);
    } catch (error) {
      wipe(bytes);
      throw error;
    } finally {
      wipe(written);
    }
    return bytes;
  }

  return {
    load(request) {
      return exclusive(request.secretRef, async () => {
        const bytes = await request.vault.resolve(request.secretRef, request.resolve);
        let doc: CodexDocument;
        try {
          doc = parseCodexDocument(bytes);
          if (isDocumentFresh(doc, clock.now())) return bytes;
        } catch (error) {
          wipe(bytes);
          throw error;
        }
        wipe(bytes);
        return refresh(request, doc);
      });
    },
  };
}

/**
 * `https` only (`http` with the dev flag), a host that passes the literal SSRF deny list.
 * Returns the normalised URL.
 *
 * @example checkCodexTokenEndpoint('https://auth.openai.com/oauth/token', false)
 */
export function checkCodexTokenEndpoint(endpoint: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw codexError('invalid Codex OAuth token endpoint url');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) throw codexError('Codex OAuth token endpoint must use https');
  if (url.hostname === '' || url.username !== '' || url.password !== '') throw codexError('invalid Codex OAuth token endpoint url');
  if (isBlockedHost(url.hostname)) throw policyViolation(SSRF_BLOCKED_MESSAGE);
  return url.href;
}

// --- internal ---

const TOKEN_KEYS = ['refresh_token', 'refreshToken', 'access_token', 'accessToken', 'id_token', 'idToken'] as const;

/** The old document's tokens, redacted from anything echoed back (an endpoint body, a network error). */
function tokenValues(doc: CodexDocument): string[] {
  return TOKEN_KEYS.map((k) => doc[k]).filter((v): v is string => typeof v === 'string');
}
