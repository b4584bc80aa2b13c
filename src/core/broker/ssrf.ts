/**
 * The SSRF deny list (security.md §4.3 with the approved fixes of Decisions 2, 11 and 18):
 * loopback, private, link-local and "this network" IPv4 ranges; `::1`, `::`, unique-local and
 * link-local IPv6; IPv4-mapped IPv6 is unwrapped first; IPv6 brackets are stripped.
 *
 * `isBlockedAddress` classifies an IP literal (the transports call it at connect time with the
 * resolved address); `isBlockedHost` also covers the names `localhost` and
 * `metadata.google.internal` for the literal planning-time check.
 *
 * @see ../../../shared/spec/security.md §4.3, §4.4; spec/README.md Decisions 11, 18
 */

/** The refusal every SSRF check raises (`PolicyViolation: upstream host blocked by SSRF guard`). */
export const SSRF_BLOCKED_MESSAGE = 'upstream host blocked by SSRF guard';

const BLOCKED_NAMES = new Set(['localhost', 'metadata.google.internal']);

/**
 * True when `ip` (an IPv4 or IPv6 literal, brackets and zone id tolerated) is in the deny list.
 * Anything that is not an IP literal returns `false` (names are judged by `isBlockedHost`).
 *
 * @example isBlockedAddress('169.254.169.254') // true
 * @example isBlockedAddress('::ffff:127.0.0.1') // true (IPv4-mapped is unwrapped)
 * @example isBlockedAddress('93.184.216.34') // false
 * @see ../../../shared/spec/security.md §4.3
 */
export function isBlockedAddress(ip: string): boolean {
  const text = stripBrackets(ip.trim().toLowerCase());
  const v4 = parseIPv4(text);
  if (v4 !== null) return isBlockedIPv4(v4);
  const v6 = parseIPv6(text);
  if (v6 === null) return false;
  return isBlockedIPv6(v6);
}

/**
 * The literal host check of target rules: a blocked name or a blocked IP literal.
 * A single trailing dot is ignored (`localhost.` is `localhost`).
 *
 * @see ../../../shared/spec/security.md §4.3
 */
export function isBlockedHost(host: string): boolean {
  let name = stripBrackets(host.trim().toLowerCase());
  if (name.endsWith('.') && !name.endsWith('..')) name = name.slice(0, -1);
  return BLOCKED_NAMES.has(name) || isBlockedAddress(name);
}

// --- internal (parseIPv4/parseIPv6 are exported for the loopback client check in plan.ts) ---

function stripBrackets(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

/** Strict dotted-decimal IPv4 (what DNS answers and WHATWG hosts look like). */
export function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function isBlockedIPv4(b: number[]): boolean {
  const [a = 0, c = 0] = b;
  return (
    a === 0 || // 0.0.0.0/8 (Decision 18)
    a === 127 || // loopback
    a === 10 ||
    (a === 172 && c >= 16 && c <= 31) ||
    (a === 192 && c === 168) ||
    (a === 169 && c === 254) // link-local, cloud metadata
  );
}

/** Eight 16-bit groups, or `null`. Accepts `::` compression, an embedded IPv4 tail and a zone id. */
export function parseIPv6(input: string): number[] | null {
  let text = input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(':') || !/^[0-9a-f:.]+$/.test(text)) return null;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === null) return null;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  if (head === null) return null;
  if (halves.length === 1) {
    return head.length === 8 ? head : null;
  }
  const rest = parse(halves[1] ?? '');
  if (rest === null) return null;
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

function isBlockedIPv6(g: number[]): boolean {
  const zeroPrefix = g.slice(0, 5).every((x) => x === 0);
  // IPv4-mapped ::ffff:a.b.c.d is unwrapped and classified as IPv4 (Decision 18).
  if (zeroPrefix && g[5] === 0xffff) {
    return isBlockedIPv4([g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255]);
  }
  if (g.every((x) => x === 0)) return true; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true; // ::1
  // Deprecated IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms embed an IPv4 too.
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if ((zeroPrefix && g[5] === 0) || nat64) {
    return isBlockedIPv4([g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255]);
  }
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10
  return false;
}
