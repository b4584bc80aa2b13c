/**
 * OAuth2 token refresh, executor side [B-OAUTH] (broker.md §7.2, vault.md §14): the 5-minute skew
 * for non-forced refreshes, endpoint checks, the form body in contract order, confidential vs
 * public clients, and write-back through `RuntimeState.writeSecret`. The exchange goes through
 * the injected upstream client (no redirects; the connect-time SSRF check covers it).
 *
 * @see ../../../shared/spec/broker.md §7
 */
import { BrokerError, policyViolation } from '../broker-error.js';
import { base64Encode, utf8DecodeStrict, utf8Encode, wipe } from '../encoding.js';
import type { Clock, UpstreamPort } from '../ports.js';
import { authParts } from './auth/strategy.js';
import { checkGrant } from './auth/oauth2.js';
import type { TimerPort } from './options.js';
import { DEFAULT_TIMEOUT_MS } from './options.js';
import { encodeQuery, type QueryPair } from './query.js';
import { readLimited } from './response.js';
import { redactMessage } from './safe-url.js';
import { parseOAuth, serialiseOAuth } from './secret-material.js';
import { hostMatches } from '../registry/host-pattern.js';
import { isBlockedHost, SSRF_BLOCKED_MESSAGE } from './ssrf.js';
import type { RuntimeCredential, RuntimeState } from './types.js';

export const OAUTH_SKEW_MS = 300_000;
export const REFRESH_PURPOSE = 'broker.auth.oauth2.refresh';
const TOKEN_RESPONSE_LIMIT = 1_048_576;

export interface RefreshDeps {
  upstream: UpstreamPort;
  clock: Clock;
  timer: TimerPort;
  allowNonDefaultPorts: boolean;
}

const oauthError = (message: string): BrokerError => new BrokerError({ code: 'oauth_error', message });

/**
 * Refreshes (or, non-forced, reuses) the credential's token and returns the material bytes to
 * render with. A refreshed token is written back before it is used.
 */
export async function refreshOAuthToken(
  deps: RefreshDeps,
  state: RuntimeState,
  credential: RuntimeCredential,
  forced: boolean,
): Promise<Uint8Array> {
  const parts = authParts(credential.auth);
  if (parts.kind !== 'o_auth2') throw new BrokerError({ code: 'internal', message: 'oauth refresh on a non-oauth2 credential' });
  const config = parts.config;
  const grant = checkGrant(config);
  const stored = await state.loadSecret(credential, REFRESH_PURPOSE);
  const material = parseOAuth(stored);
  if (material === null) {
    wipe(stored);
    throw new BrokerError({ code: 'vault_unavailable', message: 'oauth2 secret must be JSON with clientId and refreshToken/clientSecret as required' });
  }
  const now = deps.clock.now();
  if (!forced && (material.accessToken ?? '') !== '' && (material.accessTokenExpiresAtMs ?? 0) > now + OAUTH_SKEW_MS) return stored;
  wipe(stored);

  if (material.clientId.trim() === '') throw oauthError('missing oauth2 client id');
  const clientSecret = material.clientSecret?.trim() === '' ? undefined : material.clientSecret;
  if (grant === 'client_credentials' && clientSecret === undefined) throw oauthError('missing oauth2 client secret');
  if (grant === 'refresh_token' && material.refreshToken.trim() === '') throw oauthError('missing oauth2 refresh token');
  const endpoint = checkTokenEndpoint(config.token_endpoint, credential.hosts, deps.allowNonDefaultPorts);

  const form: QueryPair[] = [['client_id', material.clientId], ['grant_type', grant]];
  if (grant === 'refresh_token') form.push(['refresh_token', material.refreshToken]);
  const scope = (config.scopes ?? []).map((s) => s.trim()).filter((s) => s !== '').join(' ');
  if (scope !== '') form.push(['scope', scope]);
  const headers: Array<[string, string]> = [['content-type', 'application/x-www-form-urlencoded'], ['accept', 'application/json']];
  // Public clients (no secret) send no Authorization header and rely on client_id in the body.
  if (clientSecret !== undefined) headers.push(['authorization', `Basic ${base64Encode(utf8Encode(`${material.clientId}:${clientSecret}`))}`]);
  const secrets = [material.refreshToken, clientSecret ?? '', material.accessToken ?? ''];

  const controller = new AbortController();
  const cancel = deps.timer.after(DEFAULT_TIMEOUT_MS, () => controller.abort());
  let status: number;
  let text: string;
  try {
    const response = await deps.upstream({ url: endpoint, method: 'POST', headers, body: utf8Encode(encodeQuery(form)), signal: controller.signal });
    status = response.status;
    text = utf8DecodeStrict(await readLimited(response.body, TOKEN_RESPONSE_LIMIT, 'oauth2 token response is too large', controller.signal)) ?? '';
  } catch (error) {
    if (error instanceof BrokerError && error.code === 'policy_violation') throw error;
    const detail = controller.signal.aborted ? 'operation timed out' : error instanceof Error ? error.message : 'request failed';
    throw oauthError(redactMessage(`oauth2 token request failed: ${detail}`, endpoint, endpoint, secrets));
  } finally {
    cancel();
  }
  if (status < 200 || status > 299) throw oauthError(redactMessage(`oauth2 token endpoint returned ${status}: ${text}`, endpoint, endpoint, secrets));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw oauthError('oauth2 token response must be JSON');
  }
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (typeof body.access_token !== 'string') throw oauthError('oauth2 token response missing access_token');
  if (typeof body.expires_in !== 'number' || !Number.isSafeInteger(body.expires_in)) throw oauthError('oauth2 token response missing expires_in');
  const refreshed = utf8Encode(
    serialiseOAuth({
      clientId: material.clientId,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : material.refreshToken,
      accessToken: body.access_token,
      accessTokenExpiresAtMs: deps.clock.now() + body.expires_in * 1000,
    }),
  );
  try {
    await state.writeSecret(credential, refreshed);
  } catch (error) {
    wipe(refreshed);
    throw error;
  }
  return refreshed;
}

/** The endpoint rules of §7.2 step 3, plus the literal SSRF deny list (Decision 18). */
export function checkTokenEndpoint(endpoint: string, credentialHosts: readonly string[], allowNonDefaultPorts: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw oauthError('invalid oauth2 tokenEndpoint url');
  }
  if (url.protocol !== 'https:') throw oauthError('oauth2 tokenEndpoint must use https');
  if (url.hostname === '') throw oauthError('oauth2 tokenEndpoint host is required');
  if (url.port !== '' && !allowNonDefaultPorts) throw oauthError('oauth2 tokenEndpoint non-default port not allowed');
  if (!credentialHosts.some((h) => hostMatches(h, url.host))) throw oauthError('oauth2 tokenEndpoint host is not allowed by credential hosts');
  if (isBlockedHost(url.hostname)) throw policyViolation(SSRF_BLOCKED_MESSAGE);
  return url.href;
}
