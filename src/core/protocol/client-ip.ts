/**
 * `client_ip` is self-declared on the socket; it must still be an IP literal.
 *
 * @see ../../../shared/spec/daemon.md §5.6, security.md §10
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `true` for a plain IPv4 dotted quad (no leading zeros) or an IPv6 literal without brackets or zone. */
export function isIpLiteral(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}
