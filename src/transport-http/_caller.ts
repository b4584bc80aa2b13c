// Who is calling: the auth class from the bearer token, and the client address from the
// connection (never from a header). transports.md §2, security.md §10.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CallerAuth } from '../core/index.js';
import { routeError, StatusError } from './_errors.js';

/**
 * `Authorization: Bearer <t>`: the operator token (compared in constant time) is the operator
 * class; any other bearer is a proxy token for the core to look up; no bearer is `none`.
 */
export function callerAuth(request: IncomingMessage, operatorDigest: Buffer): CallerAuth {
  // node keeps the first of repeated Authorization headers; an intermediary may honour another.
  if (authorizationCount(request) > 1) throw new StatusError(400, routeError('more than one Authorization header'));
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
  const token = match?.[1];
  if (token === undefined) return { class: 'none' };
  // Digests have one length, so the comparison time says nothing about the token's length either.
  return timingSafeEqual(digest(token), operatorDigest) ? { class: 'operator' } : { class: 'proxy', token };
}

function authorizationCount(request: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i]!.toLowerCase() === 'authorization') count += 1;
  return count;
}

export function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The peer address of the TCP connection. A dual-stack listener reports IPv4 peers as
 * `::ffff:a.b.c.d`; that is unwrapped so the core's loopback check sees `a.b.c.d` (security.md §10).
 */
export function clientAddress(request: IncomingMessage): string | undefined {
  const address = request.socket.remoteAddress;
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}
