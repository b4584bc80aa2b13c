// A scripted BrokerService for transport tests: behaviour is chosen by the envelope's capability.
import { BrokerError } from '../../src/core/index.js';
import type { BrokerResponse, BrokerService, CallContext, Envelope } from '../../src/core/index.js';

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface RecordedCall {
  envelope: Envelope;
  stream: boolean;
  ctx: Omit<CallContext, 'signal'>;
  signal: AbortSignal | undefined;
}

export const UNLOCK_KEY = new Uint8Array(32).fill(7);
export const LEAKY_SECRET = 'sk-live-DO-NOT-LEAK-0123456789';

export interface FakeService extends BrokerService {
  calls: RecordedCall[];
  /** Resolved when a `test/hold` body is released by the test (`release.resolve()`). */
  release: Deferred;
  /** Resolved when a `test/hold` stream has sent its first chunk. */
  firstChunkSent: Deferred;
  /** Resolved when a body iterator was closed early or aborted (cleanup reached the broker). */
  bodyClosed: Deferred<'return' | 'abort'>;
  /** Resolved the first time `handle` is entered (to order events in tests). */
  entered: Deferred;
  locked: boolean;
}

const encoder = new TextEncoder();

export function createFakeService(): FakeService {
  const service: FakeService = {
    calls: [],
    release: deferred(),
    firstChunkSent: deferred(),
    bodyClosed: deferred(),
    entered: deferred(),
    locked: true,
    async handle(request, ctx) {
      const { signal, ...rest } = ctx;
      service.calls.push({ envelope: request.envelope, stream: request.stream, ctx: rest, signal });
      service.entered.resolve();
      const cap = request.envelope.capability;
      const planned = { capability: cap, credential: 'fake', method: request.envelope.request.method, url: `https://api.fake.example${request.envelope.request.path}` };
      const respond = (status: number, body: AsyncIterable<Uint8Array>, headers = [{ name: 'content-type', value: 'application/json' }]): BrokerResponse => ({
        planned,
        status,
        headers,
        body,
      });
      switch (cap) {
        case 'test/echo':
          return respond(200, once(encoder.encode(JSON.stringify({ envelope: request.envelope, ctx: rest }))));
        case 'test/binary':
          return respond(200, once(new Uint8Array([0xff, 0x00, 0x80, 0x41])), [{ name: 'content-type', value: 'application/octet-stream' }]);
        case 'test/status-404':
          return respond(404, once(encoder.encode('nope')), [{ name: 'x-trace-id', value: 't1' }, { name: 'set-cookie', value: 'a=1' }, { name: 'set-cookie', value: 'b=2' }]);
        case 'test/chunks':
          return respond(200, fromList((request.envelope.request.body ?? '').split(',').map((s) => encoder.encode(s))));
        case 'test/large':
          return respond(200, fromList(Array.from({ length: 64 }, (_, i) => new Uint8Array(16 * 1024).fill(i))));
        case 'test/fail':
          throw new BrokerError({ code: 'policy_violation', message: 'path not allowed by capability' });
        case 'test/locked':
          throw new BrokerError({ code: 'vault_locked', message: 'vault locked' });
        case 'test/crash':
          throw new Error(`boom with ${LEAKY_SECRET}`);
        case 'test/fail-after-chunk':
          return respond(200, failAfter(encoder.encode('first'), new BrokerError({ code: 'policy_violation', message: 'capability rate limit exceeded' })));
        case 'test/hold':
          return respond(200, hold(service, signal));
        default:
          throw new BrokerError({ code: 'capability_not_found', message: `capability '${cap}' not found` });
      }
    },
    async unlock(key) {
      if (key.length !== UNLOCK_KEY.length || key.some((b, i) => b !== UNLOCK_KEY[i])) {
        throw new BrokerError({ code: 'vault_error', message: 'vault provider misconfigured: invalid passphrase' });
      }
      service.locked = false;
      return { locked: false };
    },
    async lock() {
      service.locked = true;
      return { locked: true };
    },
    async status() {
      return { locked: service.locked };
    },
  };
  return service;
}

// --- internal ---

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function* fromList(list: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const item of list) yield item;
}

async function* failAfter(first: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield first;
  throw error;
}

/** Yields one chunk, then waits for `release` (or an abort), then yields a last chunk. */
async function* hold(service: FakeService, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const onAbort = () => service.bodyClosed.resolve('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    yield encoder.encode('held-1');
    service.firstChunkSent.resolve();
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([service.release.promise, aborted]);
    if (signal?.aborted) return;
    yield encoder.encode('held-2');
    finished = true;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) service.bodyClosed.resolve('return');
  }
}
