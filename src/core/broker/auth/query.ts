/** `query` auth [B-AUTH-QUERY]: `(param_name, secret)` appended after the caller's pairs. */
import { parseStringSecret } from '../secret-material.js';
import { passthrough, type AuthInput, type AuthOutput } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.2 (the caller-pair refusal runs at step 13) */
export function renderQueryAuth(config: { param_name: string }, input: AuthInput): AuthOutput {
  const secret = parseStringSecret(input.secret);
  const base = passthrough(input);
  return {
    ...base,
    query: [...base.query, [config.param_name, secret]],
    safeQuery: [...base.safeQuery, [config.param_name, 'REDACTED']],
    secrets: [secret],
  };
}
