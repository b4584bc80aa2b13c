/**
 * TLS connections to an upstream for the WebSocket relay (`GET /aivault/ws`), under the same
 * rules as the undici upstream: the extra dev CA, `AIVAULT_DEV_RESOLVE` (dial the mapped
 * address, SNI and Host unchanged, no SSRF check, as undici does), and otherwise the SSRF deny
 * list on every resolved address and on the peer actually connected to (Decision 11).
 * Transport authors import only from the core barrel.
 *
 * @see ../../shared/spec/transports.md §5, security.md §4.3-§4.5, spec/README.md Decisions 11, 15
 */
import * as fsp from 'node:fs/promises';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import { isBlockedAddress, type EnvMap } from '../core/index.js';
import { resolveUpstreamDevOptions } from './dev-overrides.js';
import { dialRule, guardedLookup, ssrfBlocked, trustedCa, upstreamSecureContext, type UndiciUpstreamOptions } from './upstream-undici.js';

/** Where to connect: the planned URL's host and port, and the mTLS identity of the plan, if any. */
export interface UpstreamSocketTarget {
  host: string;
  port: number;
  clientCertificate?: { certPem: string; keyPem: string; poolKey: string };
}

/** Resolves with a TLS socket whose handshake completed (certificate verified against `host`). */
export type UpstreamSocketConnector = (target: UpstreamSocketTarget) => Promise<TLSSocket>;

export type UpstreamSocketOptions = Pick<UndiciUpstreamOptions, 'resolve' | 'extraCaPem' | 'lookup' | 'connectTimeoutMs'>;

export function createUpstreamSocketConnector(options: UpstreamSocketOptions = {}): UpstreamSocketConnector {
  const resolveMap = options.resolve ?? new Map();
  const lookup = guardedLookup(options.lookup ?? ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true })));
  const ca = trustedCa(options.extraCaPem);
  // Built once (adding a CA list costs ~20 ms of CPU per context); one per mTLS identity.
  const contexts = new Map<string, SecureContext | undefined>();
  const contextFor = (id: UpstreamSocketTarget['clientCertificate']): SecureContext | undefined => {
    const key = id?.poolKey ?? '';
    if (!contexts.has(key)) contexts.set(key, upstreamSecureContext(ca, id));
    return contexts.get(key);
  };

  return (target) =>
    new Promise<TLSSocket>((resolve, reject) => {
      const { host, override, literal, blocked } = dialRule(target.host, resolveMap);
      if (blocked) return reject(ssrfBlocked());
      const secureContext = contextFor(target.clientCertificate);
      const socket = tlsConnect({
        host: override?.ip ?? literal,
        port: override?.port ?? target.port,
        // An IP literal gets no SNI (RFC 6066); certificate checks still run against it.
        servername: isIP(literal) !== 0 ? '' : host,
        ...(secureContext ? { secureContext } : {}),
        ...(override === undefined ? { lookup } : {}),
        ALPNProtocols: ['http/1.1'],
      });
      const timer = setTimeout(() => fail(new Error('connect timed out')), options.connectTimeoutMs ?? 10_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      // Defence in depth: the peer actually connected to (a dev-resolved host skips it, as in undici).
      socket.once('connect', () => {
        if (override === undefined && socket.remoteAddress !== undefined && isBlockedAddress(socket.remoteAddress)) fail(ssrfBlocked());
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        resolve(socket);
      });
    });
}

/**
 * The connector `aivaultd --http` uses: dev options from `env` (refused in release builds, like
 * the undici upstream), resolved on first use so a bad variable fails the WebSocket call, not start-up.
 */
export function createNodeUpstreamSocketConnector(options: { env: EnvMap; devGate: boolean }): UpstreamSocketConnector {
  let built: Promise<UpstreamSocketConnector> | null = null;
  return async (target) => {
    built ??= resolveUpstreamDevOptions(options.env, options.devGate, (path) => fsp.readFile(path)).then((dev) =>
      createUpstreamSocketConnector({ ...(dev.resolve ? { resolve: dev.resolve } : {}), ...(dev.extraCaPem ? { extraCaPem: dev.extraCaPem } : {}) }),
    );
    return (await built)(target);
  };
}
