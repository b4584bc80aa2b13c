/**
 * Exhaustive dispatch from strategy kind to renderer (STYLE.md rule 9). An unknown kind is caught
 * by `authParts` and fails closed; a new kind breaks the build here until it is handled.
 *
 * @see ../../../../shared/spec/broker.md §6
 */
import { match } from 'ts-pattern';
import type { AuthStrategy } from '../../registry/types.js';
import { renderAwsSigV4Auth } from './aws-sig-v4.js';
import { renderBasicAuth } from './basic.js';
import { renderHeaderAuth } from './header.js';
import { renderHmacAuth } from './hmac.js';
import { renderMtlsAuth } from './mtls.js';
import { renderMultiHeaderAuth } from './multi-header.js';
import { renderMultiQueryAuth } from './multi-query.js';
import { renderOAuth2Auth } from './oauth2.js';
import { renderPathAuth } from './path.js';
import { renderQueryAuth } from './query.js';
import { authParts } from './strategy.js';
import type { AuthInput, AuthOutput } from './types.js';

export async function renderAuth(strategy: AuthStrategy, input: AuthInput): Promise<AuthOutput> {
  return match(authParts(strategy))
    .with({ kind: 'header' }, (p) => renderHeaderAuth(p.config, input))
    .with({ kind: 'query' }, (p) => renderQueryAuth(p.config, input))
    .with({ kind: 'path' }, (p) => renderPathAuth(p.config, input))
    .with({ kind: 'multi_header' }, (p) => renderMultiHeaderAuth(p.config, input))
    .with({ kind: 'multi_query' }, (p) => renderMultiQueryAuth(p.config, input))
    .with({ kind: 'basic' }, () => renderBasicAuth(input))
    .with({ kind: 'o_auth2' }, (p) => renderOAuth2Auth(p.config, input))
    .with({ kind: 'aws_sig_v4' }, (p) => renderAwsSigV4Auth(p.config, input))
    .with({ kind: 'hmac' }, (p) => renderHmacAuth(p.config, input))
    .with({ kind: 'mtls' }, () => renderMtlsAuth(input))
    .exhaustive();
}
