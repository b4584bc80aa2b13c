/** `basic` auth [B-AUTH-BASIC]: `authorization: Basic base64(username ":" password)`. */
import { base64Encode, utf8Encode } from '../../encoding.js';
import { parseBasic } from '../secret-material.js';
import { assertHeaderSafe, passthrough, type AuthInput, type AuthOutput } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.4 */
export function renderBasicAuth(input: AuthInput): AuthOutput {
  const { username, password } = parseBasic(input.secret);
  const value = `Basic ${base64Encode(utf8Encode(`${username}:${password}`))}`;
  assertHeaderSafe(value);
  return { ...passthrough(input), headers: [['authorization', value]], secrets: [password, value.slice(6)] };
}
