/**
 * Byte-order (UTF-8) string comparison, equal to code point order. Compares UTF-16 code units
 * and only at the first difference between two units ≥ U+D800 looks at whole code points
 * (a surrogate pair encodes a code point above every BMP unit), so nothing is allocated.
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 || y < 0xd800) return x - y;
    // a shared high surrogate just before: the code points start there (a lone one is its own)
    const start = i > 0 && isHigh(a.charCodeAt(i - 1)) && (isLow(x) || isLow(y)) ? i - 1 : i;
    return a.codePointAt(start)! - b.codePointAt(start)!;
  }
  return a.length - b.length;
}

const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;
