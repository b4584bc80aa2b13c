/**
 * The markdown renderer of `aivault markdown`: turns a parsed JSON value into sectioned text.
 * Pure; no I/O.
 *
 * @see ../../../shared/spec/cli.md §8
 */

export interface MarkdownOptions {
  /** Non-blank (trimmed) → the output is wrapped in `<begin NS>` … `</end NS>\n`. */
  namespace?: string;
  /** Field names dropped at every depth (exact match). */
  excludeFields?: readonly string[];
  /** String fields wrapped in `<begin F>` … `</end F>` (exact match, not at top level). */
  wrapFields?: readonly string[];
}

/**
 * Renders `value` per cli.md §8.1.
 *
 * @example renderMarkdown({ title: 'Main' }, { namespace: 'data' }) === '<begin data>\n# Title\n\nMain\n</end data>\n'
 */
export function renderMarkdown(value: unknown, options: MarkdownOptions = {}): string {
  const ctx: RenderContext = { exclude: new Set(options.excludeFields ?? []), wrap: new Set(options.wrapFields ?? []) };
  const result = renderValue(value, undefined, true, ctx);
  if (result === '') return '';
  const ns = (options.namespace ?? '').trim();
  return ns === '' ? result : `<begin ${ns}>\n${result}\n</end ${ns}>\n`;
}

/** `created_at` → `Created At`, `userID` → `UserID`, `__meta` → `Meta`. */
export function sectionTitle(key: string): string {
  return key
    .split(/[_-]/)
    .filter((piece) => piece !== '')
    .map((piece) => (/^[a-z]/.test(piece) ? piece[0]!.toUpperCase() + piece.slice(1) : piece))
    .join(' ');
}

// --- internal ---

interface RenderContext {
  exclude: ReadonlySet<string>;
  wrap: ReadonlySet<string>;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlank(value: string): boolean {
  return value.trim() === '';
}

function block(key: string, body: string): string {
  return `<begin ${key}>\n${body}\n</end ${key}>`;
}

function renderValue(value: unknown, key: string | undefined, topLevel: boolean, ctx: RenderContext): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') {
    if (isBlank(value)) return 'None';
    return !topLevel && key !== undefined && ctx.wrap.has(key) ? block(key, value) : value;
  }
  if (Array.isArray(value)) return renderArray(value, key, ctx);
  if (isObject(value)) return renderObject(value, topLevel, ctx);
  return '';
}

function renderArray(items: unknown[], key: string | undefined, ctx: RenderContext): string {
  if (items.length === 0) return 'None';
  if (items.every(isObject)) return items.map((item) => renderObject(item, false, ctx)).join('\n\n');
  const lines: string[] = [];
  for (const item of items) {
    if (Array.isArray(item) || isObject(item)) {
      const k = key ?? 'items';
      return block(k, renderValue(item, k, false, ctx));
    }
    if (item === null || item === undefined) lines.push('  - None');
    else if (typeof item === 'string') lines.push(`  - ${isBlank(item) ? 'None' : item}`);
    else lines.push(`  - ${typeof item === 'number' ? JSON.stringify(item) : String(item)}`);
  }
  return lines.join('\n');
}

function renderObject(object: JsonObject, topLevel: boolean, ctx: RenderContext): string {
  const keys = Object.keys(object).sort(compareCodePoints);
  if (keys.length === 0) return 'None';
  const sections: string[] = [];
  for (const key of keys) {
    if (ctx.exclude.has(key)) continue;
    sections.push(`# ${sectionTitle(key)}\n\n${sectionBody(key, object[key], ctx)}\n`);
  }
  if (sections.length === 0) return topLevel ? '' : 'None';
  return sections.join('\n').trimEnd();
}

function sectionBody(key: string, value: unknown, ctx: RenderContext): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string' && isBlank(value)) return 'None';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'None';
    if (value.every(isObject)) return block(key, renderValue(value, key, false, ctx));
  }
  if (isObject(value)) {
    if (Object.keys(value).length === 0) return 'None';
    return block(key, renderValue(value, key, false, ctx));
  }
  return renderValue(value, key, false, ctx);
}

/** Unicode code-point order (not UTF-16 code-unit order). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true || cb.done === true) return (ca.done === true ? 0 : 1) - (cb.done === true ? 0 : 1);
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}
