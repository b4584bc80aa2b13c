/**
 * `oauth setup`: the consent URL; the code exchange always happens outside aivault.
 *
 * @see ../../../../../shared/spec/cli.md §9
 */
import { utf8Encode } from '../../encoding.js';
import { operatorError } from './operator-deps.js';

export interface OAuthSetupInput {
  provider: string;
  authUrl: string;
  clientId: string;
  redirectUri: string;
  scopes?: readonly string[];
  state?: string | null;
}

export interface OAuthSetupResult {
  provider: string;
  consentUrl: string;
  exchangeOutsideBroker: true;
  notes: string[];
}

/** @example oauthSetup({ provider: 'google', authUrl: 'https://a.example/auth', clientId: 'c', redirectUri: 'http://127.0.0.1/cb' }) */
export function oauthSetup(input: OAuthSetupInput): OAuthSetupResult {
  const provider = input.provider.trim();
  const authUrl = input.authUrl.trim();
  const clientId = input.clientId.trim();
  const redirectUri = input.redirectUri.trim();
  if (!provider || !authUrl || !clientId || !redirectUri) throw operatorError('provider, auth_url, client_id, and redirect_uri are required');
  const params: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', clientId],
    ['redirect_uri', redirectUri],
  ];
  const scope = (input.scopes ?? []).map((s) => s.trim()).filter((s) => s.length > 0).join(' ');
  if (scope) params.push(['scope', scope]);
  const state = input.state?.trim();
  if (state) params.push(['state', state]);
  const query = params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  return {
    provider,
    consentUrl: `${authUrl}${authUrl.includes('?') ? '&' : '?'}${query}`,
    exchangeOutsideBroker: true,
    notes: [
      'Open the consent URL in a browser and authorise the application outside aivault.',
      'Exchange the returned authorization code for tokens with your own tooling; aivault never performs the code exchange.',
      'Store the resulting client and refresh-token secrets in the vault; the broker only performs refresh_token and client_credentials grants.',
    ],
  };
}

/** Unreserved bytes stay; every other UTF-8 byte becomes `%XX` (upper-case hex). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of utf8Encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
