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

/** The bytes to write on stdout for `result` in `mode`. */
export function renderResult(result: BrokerResult, mode: OutputMode, markdown: MarkdownOptions = {}): string | Uint8Array {
  const value = result as Partial<BrokerResult> | null;
  if (value === null || typeof value !== 'object' || value.planned === undefined) throw inputError('missing planned in invoke output');
  const response = value.response;
  if (response === undefined || typeof response.status !== 'number') throw inputError('missing response.status in invoke output');
  if (typeof response.bodyB64 !== 'string') throw inputError('missing response.bodyB64 in invoke output');
  const body = base64DecodeStrict(response.bodyB64);
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
    const p = value.planned;
    return formatJson({ planned: { capability: p.capability, credential: p.credential, method: p.method, url: p.url }, response: { status: response.status, json } });
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
