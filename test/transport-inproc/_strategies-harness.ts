// The production stack for the strategy end-to-end tests: a real vault in a temp dir, the Node broker
// service (undici upstream, dev resolve + throwaway CA), the in-process transport and a recording
// loopback HTTPS upstream. Secrets are created through the vault, credentials and capabilities
// through the operator API, exactly as the CLI does.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrokerError,
  builtinRegistry,
  createBindingsStore,
  createBrokerStore,
  createClient,
  type AuthStrategy,
  type BrokerResult,
  type Client,
  type Envelope,
} from '../../src/core/index.js';
import { createCapability, createCredential, type OperatorDeps } from '../../src/core/runtime/operator/index.js';
import { createInprocTransport, createNodeBrokerService, createNodePorts, nodeFs, type NodeBrokerService } from '../../src/transport-inproc/index.js';
import { startHttpsUpstream, type HttpsUpstream, type UpstreamHandler, type UpstreamReply } from '../fakes/https-upstream.js';

export const API_HOST = 'api.acme.test';
export const OTHER_HOST = 'other.acme.test';
export const AUTH_HOST = 'auth.acme.test';

/**
 * `/…/hangup` drops the connection mid-request (an upstream transport error); `/v1/redirect`
 * answers 302 to another host; `/oauth/token` is the token endpoint; anything else `{"ok":true}`.
 * Nothing is echoed back, so a leak in the result can only come from the broker.
 */
export const standardHandler: UpstreamHandler = (request, response): UpstreamReply | void => {
  if (request.path.includes('/hangup')) {
    response.socket?.destroy();
    return;
  }
  if (request.path === '/v1/redirect') return { status: 302, headers: { location: `https://${OTHER_HOST}/landing` } };
  if (request.path === '/oauth/token') {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(tokenResponse) };
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
};

/** What the token endpoint hands out (the OAuth test reads and asserts it). */
export const tokenResponse = { access_token: 'at-fresh-4b1d9e77', expires_in: 3600, refresh_token: 'rt-rotated-0c55aa31', token_type: 'Bearer' };

export interface StrategyStack {
  dir: string;
  upstream: HttpsUpstream;
  node: NodeBrokerService;
  client: Client;
  deps: OperatorDeps;
  /** Host names the injected `lookup` was asked for (hosts without a dev resolve entry). */
  lookups: string[];
  /** Everything written to stdout/stderr while the stack was up. */
  output(): string;
  /** Creates a global secret, a custom credential `<provider>` and a capability `<provider>/api`; returns the secret ref. */
  addStrategy(provider: string, auth: AuthStrategy, secret: string | object, options?: { hosts?: string[]; capabilityHosts?: string[] }): Promise<string>;
  invoke(envelope: Envelope): Promise<BrokerResult>;
  /** The call must fail; returns the error (a `BrokerError`). */
  refuse(envelope: Envelope): Promise<BrokerError>;
  /** Every audit file under `<AIVAULT_DIR>/audit/`, concatenated (after flushing background writes). */
  auditText(): Promise<string>;
  close(): Promise<void>;
}

/**
 * `lookup` answers 127.0.0.1 for every name, as a hostile or misconfigured resolver would: only the
 * connect-time SSRF guard stands between a host without a dev resolve entry and the loopback.
 */
export async function startStrategyStack(hostnames: string[] = [API_HOST, OTHER_HOST, AUTH_HOST], handler: UpstreamHandler = standardHandler): Promise<StrategyStack> {
  const upstream = await startHttpsUpstream({ hostnames, handler });
  const dir = await mkdtemp(join(tmpdir(), 'aivault-strategies-'));
  const env = { AIVAULT_DIR: join(dir, 'vault'), HOME: dir, ...upstream.devEnv() };
  const lookups: string[] = [];
  const ports = createNodePorts({
    env,
    devGate: true,
    upstream: {
      lookup: async (hostname) => {
        lookups.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    },
  });
  const captured = captureOutput();
  const node = await createNodeBrokerService({ env, devGate: true, ports, cwd: dir });
  const client = createClient({ transport: createInprocTransport(node.service) });
  const uuid = () => globalThis.crypto.randomUUID();
  const deps: OperatorDeps = {
    vault: node.vault,
    registry: builtinRegistry(),
    brokerStore: createBrokerStore({ fs: nodeFs, path: node.vault.paths.brokerPath, pid: process.pid, uuid }),
    bindingsStore: createBindingsStore({ fs: nodeFs, path: node.vault.paths.capabilitiesPath, pid: process.pid, uuid }),
    clock: { now: () => Date.now() },
  };
  let counter = 0;

  return {
    dir,
    upstream,
    node,
    client,
    deps,
    lookups,
    output: captured.text,
    addStrategy: async (provider, auth, secret, options = {}) => {
      const value = typeof secret === 'string' ? secret : JSON.stringify(secret);
      const meta = await node.vault.createSecret({ name: `E2E_SECRET_${++counter}`, value: new TextEncoder().encode(value), scope: { kind: 'global' } });
      const secretRef = `vault:secret:${meta.secretId}`;
      await createCredential(deps, { id: provider, provider, secretRef, auth, hosts: options.hosts ?? [API_HOST] });
      await createCapability(deps, { id: `${provider}/api`, provider, methods: ['GET', 'POST'], pathPrefixes: ['/v1'], hosts: options.capabilityHosts ?? [API_HOST] });
      return secretRef;
    },
    invoke: (envelope) => client.invoke(envelope),
    refuse: async (envelope) => {
      try {
        await client.invoke(envelope);
      } catch (error) {
        assert.ok(error instanceof BrokerError, `a BrokerError, got ${String(error)}`);
        return error;
      }
      assert.fail('the call was expected to fail');
    },
    auditText: async () => {
      await node.vault.flush();
      const root = node.vault.paths.auditDir;
      const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      const texts = await Promise.all(files.map((f) => readFile(join(f.parentPath, f.name), 'utf8')));
      return texts.join('\n');
    },
    close: async () => {
      captured.restore();
      await client.close();
      await node.close();
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts no secret (nor any given encoding of one) occurs in any of `places`; names only the place. */
export function assertNoSecret(secrets: readonly string[], places: Record<string, unknown>): void {
  for (const [where, value] of Object.entries(places)) {
    const text = typeof value === 'string' ? value : errorText(value);
    for (const [i, secret] of secrets.entries()) {
      assert.ok(secret.length >= 6, 'leak probes must be specific');
      assert.ok(!text.includes(secret), `secret #${i} leaked into ${where}`);
    }
  }
}

/** An error's message, code and details, or any value's JSON. */
function errorText(value: unknown): string {
  if (value instanceof Error) {
    const details = value instanceof BrokerError ? JSON.stringify(value.details ?? {}) : '';
    return `${value.message}\n${String(value)}\n${details}`;
  }
  return JSON.stringify(value) ?? String(value);
}

/** Tees stdout/stderr so the tests can prove nothing secret was printed by the stack. */
function captureOutput(): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    text: () => chunks.join(''),
    restore: () => streams.forEach((stream, i) => (stream.write = originals[i] as typeof stream.write)),
  };
}
