/** `multi_query` auth [B-AUTH-MULTI]: one pair per template, appended after the caller's. */
import { policyViolation } from '../../broker-error.js';
import type { QueryTemplate } from '../../registry/types.js';
import type { QueryPair } from '../query.js';
import { parseMultiField } from '../secret-material.js';
import { renderFieldTemplate } from './template.js';
import { passthrough, type AuthInput, type AuthOutput } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.5 (caller-pair refusal runs at step 13) */
export function renderMultiQueryAuth(config: readonly QueryTemplate[], input: AuthInput): AuthOutput {
  const fields = parseMultiField(input.secret, 'multi-query');
  const pairs: QueryPair[] = [];
  const safe: QueryPair[] = [];
  const seen = new Set<string>();
  for (const t of config) {
    const name = t.param_name.trim();
    if (name === '') throw policyViolation('multi-query auth requires non-empty paramName');
    if (seen.has(name)) throw policyViolation('multi-query auth cannot inject duplicate param names');
    seen.add(name);
    pairs.push([name, renderFieldTemplate(t.value_template, fields)]);
    safe.push([name, 'REDACTED']);
  }
  const base = passthrough(input);
  return { ...base, query: [...base.query, ...pairs], safeQuery: [...base.safeQuery, ...safe], secrets: [...fields.values()] };
}
