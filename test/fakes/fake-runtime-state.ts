// A RuntimeState fake for broker tests: capabilities, policies and credentials held in memory,
// secrets as bytes keyed by credential id; every load and write is recorded.
import type { RuntimeCredential, RuntimeState } from '../../src/core/broker/types.js';
import type { Capability, CapabilityPolicy } from '../../src/core/registry/types.js';

export interface FakeCredential extends Partial<RuntimeCredential> {
  id: string;
  provider: string;
  auth: RuntimeCredential['auth'];
  hosts: string[];
  /** Secret material: strings are UTF-8, objects are JSON-encoded. */
  secret?: string | Record<string, unknown>;
}

export interface FakeStateInput {
  capabilities?: Capability[];
  credentials?: FakeCredential[];
  policies?: Record<string, Partial<CapabilityPolicy>>;
}

export interface FakeRuntimeState {
  state: RuntimeState;
  loads: Array<{ credential: string; purpose: string }>;
  writes: Array<{ credential: string; value: string }>;
  /** Current secret text per credential id (after write-backs). */
  secretText(id: string): string | undefined;
  setSecret(id: string, secret: string | Record<string, unknown>): void;
}

export function runtimeCredential(input: FakeCredential): RuntimeCredential {
  const { secret: _secret, ...rest } = input;
  return {
    capabilities: [],
    priority: 0,
    workspaceId: null,
    groupId: null,
    secretRef: `vault:secret:${input.id}`,
    source: 'stored',
    scopeRank: 0,
    ...rest,
  };
}

export function createFakeRuntimeState(input: FakeStateInput): FakeRuntimeState {
  const secrets = new Map<string, Uint8Array>();
  const encode = (s: string | Record<string, unknown>) => new TextEncoder().encode(typeof s === 'string' ? s : JSON.stringify(s));
  for (const c of input.credentials ?? []) if (c.secret !== undefined) secrets.set(c.id, encode(c.secret));
  const credentials = (input.credentials ?? []).map(runtimeCredential);
  const loads: FakeRuntimeState['loads'] = [];
  const writes: FakeRuntimeState['writes'] = [];
  const state: RuntimeState = {
    findCapability: (id) => input.capabilities?.find((c) => c.id === id),
    policyFor: (id) => {
      const p = input.policies?.[id];
      return p === undefined
        ? undefined
        : { rateLimitPerMinute: null, maxRequestBodyBytes: null, maxResponseBodyBytes: null, responseBodyBlocklist: [], ...p };
    },
    credentials: () => credentials.map((c) => ({ ...c })),
    loadSecret: async (credential, purpose) => {
      loads.push({ credential: credential.id, purpose });
      const s = secrets.get(credential.id);
      if (s === undefined) throw new Error('secret not found');
      return new Uint8Array(s); // a copy: the broker wipes what it gets
    },
    writeSecret: async (credential, value) => {
      const text = new TextDecoder().decode(value);
      writes.push({ credential: credential.id, value: text });
      secrets.set(credential.id, new Uint8Array(value));
    },
  };
  return {
    state,
    loads,
    writes,
    secretText: (id) => {
      const s = secrets.get(id);
      return s === undefined ? undefined : new TextDecoder().decode(s);
    },
    setSecret: (id, secret) => secrets.set(id, encode(secret)),
  };
}
