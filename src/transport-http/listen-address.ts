/**
 * `aivaultd --http [host:]port`: the strict parse of the listen address and the loopback rule
 * (Decision 15; transports.md §8): without `--allow-remote` only a loopback host may be bound.
 *
 * @see ../../../shared/spec/transports.md §8, security.md §10, daemon.md §3
 */
import { isIP } from 'node:net';
import { BrokerError } from '../core/index.js';

export interface ListenAddress {
  /** An IP literal (IPv6 without brackets). */
  host: string;
  /** 0 lets the OS pick a free port (the daemon prints the one it bound). */
  port: number;
}

/** The host used when `--http` names only a port. */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/**
 * Parses `PORT`, `HOST:PORT` or `[IPV6]:PORT`. Hosts are IP literals or `localhost` (bound as
 * 127.0.0.1, so no resolver decides what a "loopback" name means); anything else is a usage error.
 *
 * @example parseListenAddress('8080') // { host: '127.0.0.1', port: 8080 }
 * @example parseListenAddress('[::1]:8080') // { host: '::1', port: 8080 }
 */
export function parseListenAddress(raw: string, allowRemote: boolean): ListenAddress {
  const match = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(raw);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port <= 65535)) throw usage(`invalid --http address '${raw}': expected [HOST:]PORT (PORT 0-65535, an IPv6 host in brackets)`);
  const named = match[1] ?? match[2];
  const host = named === undefined || named === 'localhost' ? DEFAULT_HTTP_HOST : named;
  const family = isIP(host);
  if (family === 0 || (match[1] !== undefined && family !== 6)) throw usage(`invalid --http host '${named ?? ''}': expected an IP address or localhost`);
  if (!allowRemote && !isLoopbackAddress(host)) {
    throw usage(`--http ${raw} is not a loopback address; pass --allow-remote to listen on it`);
  }
  return { host, port };
}

/** `127.0.0.0/8` and `::1` only (an IPv4-mapped `::ffff:127.x` is not loopback: security.md §10). */
export function isLoopbackAddress(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && !host.includes('.') && expandsToLoopback6(host);
}

/** The URL a client uses for a bound address (`http://[::1]:8080`). */
export function baseUrlFor(address: ListenAddress): string {
  return `http://${isIP(address.host) === 6 ? `[${address.host}]` : address.host}:${address.port}`;
}

// --- internal ---

function usage(message: string): BrokerError {
  return new BrokerError({ code: 'usage', message });
}

/** `::1` in any spelling (`0:0:0:0:0:0:0:1`, `::0:1`). */
function expandsToLoopback6(host: string): boolean {
  const [head = '', tail = ''] = host.split('::');
  const groups = host.includes('::')
    ? [...split(head), ...Array<string>(8 - split(head).length - split(tail).length).fill('0'), ...split(tail)]
    : split(host);
  return groups.length === 8 && groups.every((g, i) => parseInt(g, 16) === (i === 7 ? 1 : 0));
}

function split(part: string): string[] {
  return part === '' ? [] : part.split(':');
}
