/** `path` auth [B-AUTH-PATH]: the rendered prefix goes in front of the path. */
import { policyViolation } from '../../broker-error.js';
import { isTraversal, joinPrefix } from '../path-rules.js';
import { parseStringSecret } from '../secret-material.js';
import { passthrough, type AuthInput, type AuthOutput } from './types.js';

const PLACEHOLDER = '{{secret}}';

/** @see ../../../../shared/spec/broker.md §6.3, security.md §7.4 */
export function renderPathAuth(config: { prefix_template: string }, input: AuthInput): AuthOutput {
  const secret = parseStringSecret(input.secret);
  if (/[/?#]/.test(secret)) throw policyViolation('path auth secret contains invalid characters');
  const template = config.prefix_template.trim();
  if (template.split(PLACEHOLDER).length !== 2) throw policyViolation('path auth prefixTemplate must contain exactly one {{secret}}');
  const staticPrefix = template.slice(0, template.indexOf(PLACEHOLDER));
  if (staticPrefix.trim() !== '' && input.path.startsWith(staticPrefix)) {
    throw policyViolation('caller-supplied path includes broker-managed auth prefix');
  }
  const rendered = template.replace(PLACEHOLDER, secret);
  if (/[?#]/.test(rendered)) throw policyViolation('path auth prefixTemplate cannot include query or fragment');
  if (!rendered.startsWith('/')) throw policyViolation("path auth prefixTemplate must start with '/'");
  // A secret of `.`/`..` would become a dot segment the URL parser collapses.
  if (isTraversal(rendered)) throw policyViolation('path auth secret contains invalid characters');
  const safe = template.replace(PLACEHOLDER, 'REDACTED');
  return { ...passthrough(input), path: joinPrefix(rendered, input.path), safePath: joinPrefix(safe, input.path), secrets: [secret] };
}
