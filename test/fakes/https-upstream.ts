/**
 * A real loopback HTTPS upstream for tests: a throwaway CA made here with @peculiar/x509 +
 * WebCrypto, a leaf certificate whose SANs are the given hostnames, and a record of every request.
 * Reach it as a registry host with `AIVAULT_DEV_RESOLVE=<host>=127.0.0.1:<port>` and
 * `AIVAULT_DEV_CA_CERT_PATH=<caPath>` (see `devEnv()`).
 *
 * @example
 * const upstream = await startHttpsUpstream({ hostnames: ['api.openai.com'] });
 * // ... run the CLI with upstream.devEnv() ...
 * assert.equal(upstream.requests[0].headers['authorization'], 'Bearer sk-test');
 * await upstream.close();
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

// @peculiar/x509 uses tsyringe, which needs the Reflect metadata API loaded first.
await import('reflect-metadata');
const x509 = await import('@peculiar/x509');
type X509 = typeof x509;

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent. */
  path: string;
  /** Lower-cased names; repeated headers joined by node's rules (`set-cookie` as an array). */
  headers: Record<string, string | string[] | undefined>;
  /** `[name, value]` pairs in wire order, names as sent. */
  rawHeaders: Array<[string, string]>;
  body: Uint8Array;
  bodyText: string;
  /** The TLS SNI the client sent. */
  servername: string | null;
  /** Same number for requests that travelled on the same TCP connection (keep-alive checks). */
  connectionId: number;
  /** The client certificate, when one was presented (mTLS checks). */
  clientCertificate: { subjectCN: string; fingerprint256: string } | null;
}

/** A canned answer; return it from a handler, or write to `response` yourself and return nothing. */
export interface UpstreamReply {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
}

export type UpstreamHandler = (request: RecordedRequest, response: ServerResponse) => UpstreamReply | void | Promise<UpstreamReply | void>;

export interface HttpsUpstreamOptions {
  /** Certificate SANs; the names the broker will call. */
  hostnames: string[];
  /** @default replies 200 `{"ok":true}` with `content-type: application/json` */
  handler?: UpstreamHandler;
  /** Serves `Upgrade` requests (WebSocket tests); without it node answers them as plain requests. */
  upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface PemIdentity {
  certPem: string;
  keyPem: string;
  fingerprint256: string;
}

export interface HttpsUpstream {
  port: number;
  caPem: string;
  /** The CA written to a temp file, for `AIVAULT_DEV_CA_CERT_PATH`. */
  caPath: string;
  requests: RecordedRequest[];
  /** `host=127.0.0.1:port,...` for every hostname. */
  devResolve: string;
  /** `{ AIVAULT_DEV_RESOLVE, AIVAULT_DEV_CA_CERT_PATH }`. */
  devEnv(): Record<string, string>;
  /** A client certificate signed by this CA (for mTLS tests). */
  issueClientCertificate(commonName: string): Promise<PemIdentity>;
  /** Connections currently open (leak checks). */
  openConnections(): number;
  close(): Promise<void>;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function startHttpsUpstream(options: HttpsUpstreamOptions): Promise<HttpsUpstream> {
  const crypto = globalThis.crypto;
  x509.cryptoProvider.set(crypto);
  const caKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 24 * 3600_000) };
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=aivault test CA',
    keys: caKeys,
    signingAlgorithm: SIGN,
    ...validity,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  let serial = 2;
  const issue = async (commonName: string, sans: string[], usage: InstanceType<X509['ExtendedKeyUsageExtension']>['usages'][number]): Promise<PemIdentity> => {
    const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject: `CN=${commonName}`,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGN,
      ...validity,
      extensions: [
        new x509.BasicConstraintsExtension(false),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans.map((value) => ({ type: 'dns' as const, value })))] : []),
      ],
    });
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
    const fingerprint = Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex');
    return { certPem: cert.toString('pem'), keyPem: toPem(pkcs8, 'PRIVATE KEY'), fingerprint256: fingerprint };
  };
  const leaf = await issue(options.hostnames[0] ?? 'localhost', options.hostnames, x509.ExtendedKeyUsage.serverAuth);
  const caPem = ca.toString('pem');
  const dir = await mkdtemp(join(tmpdir(), 'aivault-upstream-'));
  const caPath = join(dir, 'ca.pem');
  await writeFile(caPath, caPem);

  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let nextConnection = 1;
  const handler = options.handler ?? (() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));

  const server = createServer({ key: leaf.keyPem, cert: leaf.certPem, ca: [caPem], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void record(req).then(async (recorded) => {
      requests.push(recorded);
      const reply = await handler(recorded, res);
      if (reply) {
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(reply.body ?? '');
      }
    }).catch(() => res.destroy());
  });
  if (options.upgrade !== undefined) server.on('upgrade', options.upgrade);
  server.on('secureConnection', (socket: TLSSocket) => {
    connectionIds.set(socket, nextConnection++);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  async function record(req: IncomingMessage): Promise<RecordedRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const tls = req.socket as TLSSocket;
    const peer = tls.getPeerCertificate();
    const rawHeaders: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    return {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      rawHeaders,
      body: new Uint8Array(body),
      bodyText: body.toString('utf8'),
      servername: typeof (tls as { servername?: unknown }).servername === 'string' ? (tls as unknown as { servername: string }).servername : null,
      connectionId: connectionIds.get(tls) ?? 0,
      clientCertificate:
        peer && peer.fingerprint256
          ? { subjectCN: String(peer.subject?.CN ?? ''), fingerprint256: peer.fingerprint256.replaceAll(':', '').toLowerCase() }
          : null,
    };
  }

  const devResolve = options.hostnames.map((h) => `${h}=127.0.0.1:${port}`).join(',');
  return {
    port,
    caPem,
    caPath,
    requests,
    devResolve,
    devEnv: () => ({ AIVAULT_DEV_RESOLVE: devResolve, AIVAULT_DEV_CA_CERT_PATH: caPath }),
    issueClientCertificate: (commonName) => issue(commonName, [], x509.ExtendedKeyUsage.clientAuth),
    openConnections: () => sockets.size,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections?.();
      await closed;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// --- internal ---


function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
