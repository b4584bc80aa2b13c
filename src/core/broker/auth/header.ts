/** `header` auth [B-AUTH-HEADER]: one header, `{{secret}}` replaced everywhere in the template. */
import type { HeaderTemplate } from '../../registry/types.js';
import { parseStringSecret } from '../secret-material.js';
import { assertHeaderSafe, passthrough, type AuthInput, type AuthOutput } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.1 */
export function renderHeaderAuth(config: HeaderTemplate, input: AuthInput): AuthOutput {
  const secret = parseStringSecret(input.secret);
  const value = config.value_template.split('{{secret}}').join(secret);
  assertHeaderSafe(value);
  return { ...passthrough(input), headers: [[config.header_name.trim().toLowerCase(), value]], secrets: [secret] };
}
