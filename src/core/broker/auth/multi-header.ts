/** `multi_header` auth [B-AUTH-MULTI]: one header per template, in order. */
import { policyViolation } from '../../broker-error.js';
import type { HeaderTemplate } from '../../registry/types.js';
import type { Header } from '../headers.js';
import { parseMultiField } from '../secret-material.js';
import { renderFieldTemplate } from './template.js';
import { assertHeaderSafe, passthrough, type AuthInput, type AuthOutput } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.5 */
export function renderMultiHeaderAuth(config: readonly HeaderTemplate[], input: AuthInput): AuthOutput {
  const fields = parseMultiField(input.secret, 'multi-header');
  const headers: Header[] = [];
  const seen = new Set<string>();
  for (const t of config) {
    const name = t.header_name.trim().toLowerCase();
    if (name === '') throw policyViolation('multi-header auth requires non-empty headerName');
    if (seen.has(name)) throw policyViolation('multi-header auth cannot inject duplicate header names');
    seen.add(name);
    const value = renderFieldTemplate(t.value_template, fields);
    assertHeaderSafe(value);
    headers.push([name, value]);
  }
  return { ...passthrough(input), headers, secrets: [...fields.values()] };
}
