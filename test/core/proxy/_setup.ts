// The assembled services (socket + proxy) on memfs: a real vault, broker.json with custom `acme`
// credentials and capabilities, a manual clock and a recording upstream. No sockets, no sleeps.
import { createBrokerServices, type ProxyServiceConfig } from '../../../src/core/create-broker-service.js';
import { createRateLimiter } from '../../../src/core/broker/rate-limiter.js';
import type { CallContext } from '../../../src/core/broker/types.js';
import { BrokerError } from '../../../src/core/broker-error.js';
import { createVault } from '../../../src/core/vault/create-vault.js';
import { createBrokerStore } from '../../../src/core/registry/broker-store.js';
import { builtinRegistry } from '../../../src/core/registry/registry.js';
import type { Capability, CapabilityPolicy, StoredCredential } from '../../../src/core/registry/types.js';
import type { AuditEvent } from '../../../src/core/vault/types.js';
import type { CallerAuth, ProxyTokenRecord } from '../../../src/core/proxy/types.js';
import { createManualClock } from '../../fakes/manual-clock.js';
import { createMemFs } from '../../fakes/memfs-port.js';
import { createMockUpstream, type MockHandler } from '../../fakes/mock-upstream-fn.js';
import { createManualTimer } from '../broker/_harness.js';

export const SECRET = 'sk-acme-SECRET-0123456789';
export const QSECRET = 'qk-acme-QUERY-9876543210';
export const OPERATOR: CallerAuth = { class: 'operator' };
export const CTX: CallContext = { clientIp: '127.0.0.1', transport: 'http' };

export const cap = (id: string, methods: string[], pathPrefixes: string[], provider = 'acme'): Capability => ({
  id,
  provider,
  allow: { hosts: ['api.acme.example'], methods, pathPrefixes },
});

export const CAPS: Capability[] = [
  cap('acme/users', ['GET', 'POST'], ['/v2/users']),
  cap('acme/admin', ['GET'], ['/v2/users/admin']),
  cap('acme/all', ['GET', 'POST', 'PUT'], ['/v2']),
  cap('acme/realtime', ['GET'], ['/v1/listen']),
  cap('acme/write', ['POST'], ['/v2/write']),
  cap('other/thing', ['GET'], ['/v2'], 'other'),
];

export const credential = (id: string, secretId: string, extra: Partial<StoredCredential> = {}): StoredCredential => ({
  id,
  provider: 'acme',
  workspaceId: null,
  groupId: null,
  auth: { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } },
  hosts: ['api.acme.example'],
  secretRef: `vault:secret:${secretId}`,
  ...extra,
});

export interface SetupInput {
  handler?: MockHandler;
  proxy?: ProxyServiceConfig;
  /** Extra credentials; each gets `secretRef` of the header secret unless it names one. */
  credentials?: (ids: { header: string; query: string }) => StoredCredential[];
  capabilities?: Capability[];
  policies?: Array<{ capabilityId: string; policy: CapabilityPolicy }>;
}

export async function setup(input: SetupInput = {}) {
  const clock = createManualClock();
  const timer = createManualTimer();
  const { fs, vol } = createMemFs();
  let n = 0;
  const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const vault = createVault({ fs, crypto: globalThis.crypto, clock, env: {}, rootDir: '/v', home: '/home/u', pid: 7, sleep: async (ms) => clock.advance(ms) });
  await vault.load();
  const registry = builtinRegistry();
  const brokerStore = createBrokerStore({ fs, path: vault.paths.brokerPath, pid: 7, uuid });
  const enc = (s: string) => new TextEncoder().encode(s);
  const header = await vault.createSecret({ name: 'ACME_KEY', value: enc(SECRET), scope: { kind: 'global' } });
  const query = await vault.createSecret({ name: 'ACME_QUERY_KEY', value: enc(QSECRET), scope: { kind: 'global' } });
  const ids = { header: header.secretId, query: query.secretId };
  const credentials = input.credentials?.(ids) ?? [credential('acme', ids.header)];
  await brokerStore.save({ version: 1, credentials, capabilities: input.capabilities ?? CAPS, policies: input.policies ?? [] });
  const mock = createMockUpstream(input.handler ?? (() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' })));
  const services = createBrokerServices({
    vault, registry, brokerStore, fs, crypto: globalThis.crypto, clock, timer, upstream: mock.upstream,
    rateLimiter: createRateLimiter({ fs, path: vault.paths.rateLimitsPath, clock, pid: 7, uuid }),
    cwd: '/', ...(input.proxy === undefined ? {} : { proxy: input.proxy }),
  });
  const { proxy } = services;
  const audits = async (): Promise<AuditEvent[]> => {
    await vault.flush();
    const text = Object.entries(vol.toJSON()).filter(([path]) => path.includes('/audit/')).map(([, t]) => t).join('');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent).filter((e) => e.kind === 'capability.invoked');
  };
  const mint = (request: Record<string, unknown>): Promise<ProxyTokenRecord> =>
    proxy.mintToken(OPERATOR, { ttlMs: 60_000, ...request }, CTX);
  const as = (record: ProxyTokenRecord): CallerAuth => ({ class: 'proxy', token: record.token });
  return { ...services, vault, vol, clock, timer, mock, brokerStore, ids, audits, mint, as };
}

/** Runs `fn` expecting a `BrokerError`; returns `code: message`. */
export async function refusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    const value = await fn();
    // a streamed body may fail only when read
    if (value !== null && typeof value === 'object' && 'body' in value) await text(value as { body: AsyncIterable<Uint8Array> });
  } catch (error) {
    if (error instanceof BrokerError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

export async function text(response: { body: AsyncIterable<Uint8Array> }): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of response.body) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

export async function* bytes(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}
