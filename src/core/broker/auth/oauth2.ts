/**
 * `o_auth2` auth, planning part [B-AUTH-OAUTH]: a live access token becomes a bearer header;
 * otherwise the internal `oauth_refresh_required` signal tells the executor to refresh.
 */
import { BrokerError, policyViolation } from '../../broker-error.js';
import { parseOAuth } from '../secret-material.js';
import { assertHeaderSafe, passthrough, type AuthInput, type AuthOutput } from './types.js';

export interface OAuthConfig {
  grant_type: string;
  token_endpoint: string;
  scopes?: string[];
}

/** Grant re-check shared with the refresh path (broker.md §2.4). */
export function checkGrant(config: OAuthConfig): 'refresh_token' | 'client_credentials' {
  const grant = config.grant_type.trim().toLowerCase();
  if (grant !== 'refresh_token' && grant !== 'client_credentials') throw policyViolation('oauth2 consent/setup flow must happen outside broker');
  return grant;
}

/** @see ../../../../shared/spec/broker.md §6.7 */
export function renderOAuth2Auth(config: OAuthConfig, input: AuthInput): AuthOutput {
  checkGrant(config);
  const material = parseOAuth(input.secret);
  if (material === null) {
    throw new BrokerError({ code: 'vault_unavailable', message: `missing oauth2 secret for endpoint ${config.token_endpoint}` });
  }
  const token = material.accessToken ?? '';
  const expiry = material.accessTokenExpiresAtMs;
  if (token === '' || expiry === undefined || !(expiry > input.clock.now())) {
    throw new BrokerError({ code: 'oauth_refresh_required', message: `oauth2 access token missing or expired for ${config.token_endpoint}` });
  }
  const value = `Bearer ${token}`;
  assertHeaderSafe(value);
  const secrets = [token, material.refreshToken, ...(material.clientSecret === undefined ? [] : [material.clientSecret])].filter((s) => s !== '');
  return { ...passthrough(input), headers: [['authorization', value]], secrets };
}
