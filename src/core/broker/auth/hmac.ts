/**
 * `hmac` auth [B-AUTH-HMAC], Decisions 10/16: `{{signature}}` in the template becomes
 * HMAC-<algorithm>(secret, canonical input) over the path as planned at this point.
 */
import { hmacCanonicalInput, hmacSignature } from '../hmac.js';
import { parseStringSecret } from '../secret-material.js';
import { assertHeaderSafe, passthrough, type AuthInput, type AuthOutput } from './types.js';

export interface HmacConfig {
  algorithm: string;
  header_name: string;
  value_template: string;
  encoding?: 'hex' | 'base64';
}

/** @see ../../../../shared/spec/broker.md §6.9 */
export async function renderHmacAuth(config: HmacConfig, input: AuthInput): Promise<AuthOutput> {
  const secret = parseStringSecret(input.secret);
  const canonical = hmacCanonicalInput(input.method, input.path, input.query);
  const signature = await hmacSignature(input.crypto, config.algorithm, secret, canonical, config.encoding ?? 'hex');
  const value = config.value_template.split('{{signature}}').join(signature);
  assertHeaderSafe(value);
  return { ...passthrough(input), headers: [[config.header_name.trim().toLowerCase(), value]], secrets: [secret] };
}
