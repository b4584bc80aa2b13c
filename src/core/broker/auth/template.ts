/**
 * Multi-field template rendering (broker.md §6.5): one left-to-right pass, `{{ key }}` (trimmed)
 * replaced by the field value; substituted values are never re-scanned.
 */
import { BrokerError, policyViolation } from '../../broker-error.js';

/** @see ../../../../shared/spec/broker.md §6.5 */
export function renderFieldTemplate(template: string, fields: ReadonlyMap<string, string>): string {
  let out = '';
  let i = 0;
  for (;;) {
    const open = template.indexOf('{{', i);
    if (open < 0) return out + template.slice(i);
    const close = template.indexOf('}}', open + 2);
    if (close < 0) throw policyViolation("invalid template (missing '}}')");
    const key = template.slice(open + 2, close).trim();
    if (key === '') throw policyViolation('invalid template (empty placeholder)');
    const value = fields.get(key);
    if (value === undefined) throw new BrokerError({ code: 'vault_unavailable', message: `missing secret field '${key}' for auth` });
    out += template.slice(i, open) + value;
    i = close + 2;
  }
}
