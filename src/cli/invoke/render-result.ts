/**
 * Printing an invocation result: raw body bytes, `{planned, response:{status, json}}`, or markdown.
 * Upstream headers are never printed.
 *
 * @see ../../../../shared/spec/cli.md §7.6
 */
import type { BrokerResult } from '../../core/broker/types.js';
import { base64DecodeStrict, utf8DecodeStrict } from '../../core/encoding.js';
import { inputError } from '../errors.js';
import { renderMarkdown, type MarkdownOptions } from '../markdown.js';
import { formatJson } from '../output.js';

export type OutputMode = 'raw' | 'json' | 'markdown';

/**
 * The bytes to write on stdout for `result` in `mode`. `result` may be a partial value from a
 * malformed daemon reply: like the original, raw and markdown output need only
 * `response.bodyB64`; `json` needs `planned`, then `response.status`, then the body.
 */
export function renderResult(result: BrokerResult | unknown, mode: OutputMode, markdown: MarkdownOptions = {}): string | Uint8Array {
  const value = isRecord(result) ? result : {};
  const response = isRecord(value['response']) ? value['response'] : undefined;
  const planned = value['planned'];
  if (mode === 'json') {
    if (planned === undefined) throw inputError('missing planned in invoke output');
    if (response?.['status'] === undefined) throw inputError('missing response.status in invoke output');
  }
  const bodyB64 = response?.['bodyB64'];
  if (typeof bodyB64 !== 'string') throw inputError('missing response.bodyB64 in invoke output');
  const body = base64DecodeStrict(bodyB64);
  if (body === null) throw inputError('invalid base64 bodyB64: not canonical standard base64');
  if (mode === 'raw') return body;
  const text = utf8DecodeStrict(body);
  if (mode === 'json') {
    let json: unknown;
    try {
      if (text === null) throw new SyntaxError('body is not valid UTF-8');
      json = JSON.parse(text);
    } catch (error) {
      throw inputError(`upstream response body is not valid JSON (${(error as Error).message}); use \`aivault invoke\` for raw output`);
    }
    return formatJson({ planned: plannedSummary(planned), response: { status: response?.['status'], json } });
  }
  if (text === null) throw inputError('upstream response body is not utf8 or json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return renderMarkdown(parsed, markdown);
}

// --- internal ---

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The four documented keys of a well-formed summary; anything else is printed as the daemon sent it. */
function plannedSummary(planned: unknown): unknown {
  if (!isRecord(planned)) return planned;
  const { capability, credential, method, url } = planned;
  return [capability, credential, method, url].every((v) => typeof v === 'string') ? { capability, credential, method, url } : planned;
}
