// Shared set-up for broker tests: a broker over a fake RuntimeState, the mock upstream, memfs,
// a manual clock, a manual timer and an in-memory audit sink. No sockets, no sleeps.
import { Crypto } from '@peculiar/webcrypto';
import { createBroker } from '../../../src/core/broker/create-broker.js';
import type { BrokerPolicyOptions, TimerPort } from '../../../src/core/broker/options.js';
import { createRateLimiter, type RateLimiter } from '../../../src/core/broker/rate-limiter.js';
import { toResult } from '../../../src/core/broker/to-result.js';
import type { Broker, BrokerResult, CallContext, Envelope } from '../../../src/core/broker/types.js';
import type { Capability } from '../../../src/core/registry/types.js';
import type { AuditEvent } from '../../../src/core/vault/types.js';
import { BrokerError } from '../../../src/core/broker-error.js';
import { createFakeRuntimeState, type FakeCredential, type FakeRuntimeState, type FakeStateInput } from '../../fakes/fake-runtime-state.js';
import { createManualClock, type ManualClock } from '../../fakes/manual-clock.js';
import { createMemFs, type MemFs } from '../../fakes/memfs-port.js';
import { createMockUpstream, type MockHandler, type MockUpstream } from '../../fakes/mock-upstream-fn.js';

export interface ManualTimer extends TimerPort {
  pending(): number[];
  /** Fires every pending timer. */
  fireAll(): void;
}

export function createManualTimer(): ManualTimer {
  const timers = new Map<number, { ms: number; fn: () => void }>();
  let next = 1;
  return {
    after(ms, fn) {
      const id = next++;
      timers.set(id, { ms, fn });
      return () => timers.delete(id);
    },
    pending: () => [...timers.values()].map((t) => t.ms),
    fireAll() {
      const all = [...timers.values()];
      timers.clear();
      for (const t of all) t.fn();
    },
  };
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const CAP: Capability = {
  id: 'acme/users',
  provider: 'acme',
  allow: { hosts: ['api.acme.example'], methods: ['GET', 'POST'], pathPrefixes: ['/v2/users'] },
};

export const CRED: FakeCredential = {
  id: 'acme',
  provider: 'acme',
  auth: { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } },
  hosts: ['api.acme.example'],
  secret: 'sk-live-SECRET-1234',
};

export interface HarnessInput extends FakeStateInput {
  handler?: MockHandler;
  options?: BrokerPolicyOptions;
  files?: Record<string, string>;
  rateLimiter?: RateLimiter;
  auditFails?: boolean;
}

export interface Harness {
  broker: Broker;
  mock: MockUpstream;
  fake: FakeRuntimeState;
  audits: AuditEvent[];
  clock: ManualClock;
  timer: ManualTimer;
  memfs: MemFs;
  stateCalls: Array<{ ctx: CallContext; requested: string | null }>;
  invoke(envelope: unknown, ctx?: Partial<CallContext>): Promise<BrokerResult>;
  stream(envelope: unknown, ctx?: Partial<CallContext>): Promise<Uint8Array[]>;
  /** Runs an invocation expected to fail; returns the error. */
  refuse(envelope: unknown, ctx?: Partial<CallContext>): Promise<BrokerError>;
}

export const CTX: CallContext = { clientIp: '127.0.0.1', transport: 'inproc' };

export function harness(input: HarnessInput = {}): Harness {
  const capabilities = input.capabilities ?? [CAP];
  const credentials = input.credentials ?? [CRED];
  const fake = createFakeRuntimeState({ capabilities, credentials, ...(input.policies ? { policies: input.policies } : {}) });
  const mock = createMockUpstream(input.handler);
  const clock = createManualClock();
  const timer = createManualTimer();
  const memfs = createMemFs({ '/vault/.keep': '', '/work/.keep': '', ...(input.files ?? {}) });
  const audits: AuditEvent[] = [];
  const stateCalls: Harness['stateCalls'] = [];
  let n = 0;
  const broker = createBroker({
    state: async (ctx, requested) => {
      stateCalls.push({ ctx, requested });
      return fake.state;
    },
    upstream: mock.upstream,
    fs: memfs.fs,
    crypto: new Crypto(),
    clock,
    timer,
    rateLimiter:
      input.rateLimiter ??
      createRateLimiter({ fs: memfs.fs, path: '/vault/state/rate-limits.json', clock, pid: 42, uuid: () => `u${n++}` }),
    audit: async (event) => {
      if (input.auditFails) throw new Error('disk full');
      audits.push(event);
    },
    cwd: '/work',
    ...(input.options ? { options: input.options } : {}),
  });
  const call = (envelope: unknown, stream: boolean, ctx?: Partial<CallContext>) =>
    broker.handle({ envelope: envelope as Envelope, stream }, { ...CTX, ...ctx });
  return {
    broker,
    mock,
    fake,
    audits,
    clock,
    timer,
    memfs,
    stateCalls,
    invoke: async (envelope, ctx) => toResult(await call(envelope, false, ctx)),
    stream: async (envelope, ctx) => {
      const out: Uint8Array[] = [];
      for await (const c of (await call(envelope, true, ctx)).body) out.push(c);
      return out;
    },
    refuse: async (envelope, ctx) => {
      try {
        await toResult(await call(envelope, false, ctx));
      } catch (error) {
        if (error instanceof BrokerError) return error;
        throw error;
      }
      throw new Error('expected the call to be refused');
    },
  };
}

/** An envelope for `acme/users` with request overrides. */
export function env(request: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { capability: 'acme/users', request: { method: 'GET', path: '/v2/users', ...request }, ...extra };
}

/** Everything a test can observe, as one string: results, safe URL, errors, audit events. */
export function observable(...parts: unknown[]): string {
  return parts.map((p) => (p instanceof Error ? `${p.message}` : JSON.stringify(p))).join('\n');
}
