// One contract every Transport implementation passes (STYLE rule 12): inproc, socket, multiplexed socket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerError, renderErrorText, wireErrorKind } from '../../src/core/index.js';
import type { BrokerService, ControlTransport, Envelope, InvokeRequest } from '../../src/core/index.js';
import { createFakeService, LEAKY_SECRET, UNLOCK_KEY, type FakeService } from './fake-service.js';

export interface TransportHarness {
  transport: ControlTransport;
  close(): Promise<void>;
}

export interface TransportContractOptions {
  name: string;
  /** The `ctx.transport` the service must see. */
  transportName: 'inproc' | 'socket';
  makeTransport(service: BrokerService): Promise<TransportHarness>;
  skip?: Array<{ reason: string; tests: string[] }>;
  /** The far end notices a gone caller only when it next writes (one-shot sockets: the request side is already closed). */
  gonePeerNeedsWrite?: boolean;
  additionalTests?: (use: UseHarness) => void;
}

export type UseHarness = (fn: (h: { service: FakeService; transport: ControlTransport }) => Promise<void>) => Promise<void>;

const envelope = (capability: string, extra: Partial<Envelope['request']> = {}): Envelope => ({
  capability,
  request: { method: 'GET', path: '/v1/things', ...extra },
});
const req = (capability: string, extra: Partial<Envelope['request']> = {}): InvokeRequest => ({ envelope: envelope(capability, extra), clientIp: '127.0.0.1' });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) out.push(text(chunk));
  return out;
}

async function rejectsWith(promise: Promise<unknown>, expected: string): Promise<BrokerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BrokerError, `expected a BrokerError, got ${String(error)}`);
    assert.equal(renderErrorText(error), expected);
    return error;
  }
  assert.fail(`expected rejection with ${expected}`);
}

export function runTransportContract(options: TransportContractOptions): void {
  const skipped = new Map<string, string>();
  for (const group of options.skip ?? []) for (const name of group.tests) skipped.set(name, group.reason);
  const use: UseHarness = async (fn) => {
    const service = createFakeService();
    const harness = await options.makeTransport(service);
    try {
      await fn({ service, transport: harness.transport });
    } finally {
      await harness.close();
    }
  };
  const test = (name: string, fn: Parameters<UseHarness>[0]) => {
    const reason = skipped.get(name);
    it(name, reason ? { skip: reason } : {}, () => use(fn));
  };

  describe(`transport contract: ${options.name}`, () => {
    test('invoke returns the buffered result object', async ({ transport }) => {
      const result = await transport.invoke(req('test/echo'));
      assert.deepEqual(result.planned, { capability: 'test/echo', credential: 'fake', method: 'GET', url: 'https://api.fake.example/v1/things' });
      assert.equal(result.response.status, 200);
      assert.deepEqual(result.response.headers, [{ name: 'content-type', value: 'application/json' }]);
      assert.equal(Buffer.from(result.response.bodyB64, 'base64').toString('utf8'), result.response.bodyUtf8);
    });

    test('the service sees the envelope and context the caller sent', async ({ service, transport }) => {
      await transport.invoke({
        envelope: { capability: 'test/echo', credential: 'work', request: { method: 'POST', path: '/x?y=1', headers: [{ name: 'accept', value: 'a/b' }], body: 'hi' } },
        clientIp: '::1',
        timeoutMs: 1500,
        workspaceId: 'ws',
        groupId: 'g',
      });
      const call = service.calls[0]!;
      assert.equal(call.stream, false);
      assert.deepEqual(call.ctx, { clientIp: '::1', workspaceId: 'ws', groupId: 'g', timeoutMs: 1500, transport: options.transportName });
      assert.equal(call.envelope.credential, 'work');
      assert.deepEqual(call.envelope.request.headers, [{ name: 'accept', value: 'a/b' }]);
      assert.equal(call.envelope.request.body, 'hi');
      assert.equal(call.envelope.request.url, null, 'absent optionals travel as null, like the original client');
    });

    test('non-UTF-8 bodies have bodyUtf8 null and exact base64', async ({ transport }) => {
      const result = await transport.invoke(req('test/binary'));
      assert.equal(result.response.bodyUtf8, null);
      assert.deepEqual([...Buffer.from(result.response.bodyB64, 'base64')], [0xff, 0x00, 0x80, 0x41]);
    });

    test('non-2xx statuses and repeated headers are results, not errors', async ({ transport }) => {
      const result = await transport.invoke(req('test/status-404'));
      assert.equal(result.response.status, 404);
      assert.deepEqual(result.response.headers.map((h) => h.value), ['t1', 'a=1', 'b=2']);
    });

    test('broker errors render as <PascalCase>: <message> and keep their code', async ({ transport }) => {
      const error = await rejectsWith(transport.invoke(req('test/fail')), 'PolicyViolation: path not allowed by capability');
      assert.equal(error.code, 'policy_violation');
    });

    test('plain errors render bare', async ({ transport }) => {
      const error = await rejectsWith(transport.invoke(req('test/locked')), 'vault locked');
      assert.equal(error.code, 'vault_locked');
    });

    test('unexpected errors never leak their text', async ({ transport }) => {
      const error = await rejectsWith(transport.invoke(req('test/crash')), 'internal error');
      assert.ok(!JSON.stringify({ m: error.message, d: error.details }).includes(LEAKY_SECRET));
    });

    test('an invalid client_ip is refused before the broker runs', async ({ service, transport }) => {
      await rejectsWith(transport.invoke({ ...req('test/echo'), clientIp: 'not-an-ip' }), 'invalid clientIp');
      assert.equal(service.calls.length, 0);
    });

    test('a mistyped field is an invalid request JSON reply', async ({ service, transport }) => {
      const bad = { envelope: { capability: 'test/echo', request: { method: 42, path: '/' } }, clientIp: '127.0.0.1' } as unknown as InvokeRequest;
      const error = await rejectsWith(transport.invoke(bad), 'invalid request JSON: invalid type at `envelope.request.method`: expected string');
      assert.equal(service.calls.length, 0);
      assert.notEqual(wireErrorKind(error), 'connect');
    });

    test('the health probe answers without touching the broker', async ({ service, transport }) => {
      assert.deepEqual(await transport.health(), { ok: true, capability: '__aivault/health' });
      assert.equal(service.calls.length, 0);
    });

    test('stream delivers body chunks in order', async ({ service, transport }) => {
      assert.deepEqual(await collect(transport.stream(req('test/chunks', { body: 'a,bb,ccc' }))), ['a', 'bb', 'ccc']);
      assert.equal(service.calls[0]!.stream, true);
    });

    test('a large stream arrives intact', async ({ transport }) => {
      let total = 0;
      let index = 0;
      for await (const chunk of transport.stream(req('test/large'))) {
        for (const byte of chunk) assert.equal(byte, Math.floor(index++ / (16 * 1024)));
        total += chunk.length;
      }
      assert.equal(total, 64 * 16 * 1024);
    });

    test('a stream error after chunks throws the error text after the chunks', async ({ transport }) => {
      const seen: string[] = [];
      const error = await rejectsWith(
        (async () => {
          for await (const chunk of transport.stream(req('test/fail-after-chunk'))) seen.push(text(chunk));
        })(),
        'PolicyViolation: capability rate limit exceeded',
      );
      assert.deepEqual(seen, ['first']);
      assert.equal(wireErrorKind(error) ?? 'remote', 'remote');
    });

    test('a stream refused before any chunk throws', async ({ transport }) => {
      await rejectsWith(collect(transport.stream(req('test/fail'))), 'PolicyViolation: path not allowed by capability');
    });

    test('the health capability is not special for streams', async ({ service, transport }) => {
      await rejectsWith(collect(transport.stream(req('__aivault/health'))), "CapabilityNotFound: capability '__aivault/health' not found");
      assert.equal(service.calls.length, 1);
    });

    test('breaking out of a stream releases the broker body', async ({ service, transport }) => {
      for await (const chunk of transport.stream(req('test/hold'))) {
        assert.equal(text(chunk), 'held-1');
        break;
      }
      // A one-shot socket daemon can only notice a gone peer at its next write, so let one happen.
      if (options.gonePeerNeedsWrite === true) service.release.resolve();
      assert.ok(['return', 'abort'].includes(await service.bodyClosed.promise));
    });

    test('a non-stream call completes while a stream is open', async ({ service, transport }) => {
      const iterator = transport.stream(req('test/hold'))[Symbol.asyncIterator]();
      assert.equal(text((await iterator.next()).value as Uint8Array), 'held-1');
      const result = await transport.invoke(req('test/echo'));
      assert.equal(result.response.status, 200);
      service.release.resolve();
      assert.equal(text((await iterator.next()).value as Uint8Array), 'held-2');
      assert.equal((await iterator.next()).done, true);
    });

    test('many concurrent calls each get their own answer', async ({ transport }) => {
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) => transport.invoke(req('test/echo', { path: `/n/${i}` }))),
      );
      results.forEach((r, i) => assert.equal(r.planned.url, `https://api.fake.example/n/${i}`));
    });

    test('unlock, status and lock report the lock state', async ({ transport }) => {
      assert.deepEqual(await transport.status(), { locked: true });
      await rejectsWith(transport.unlock(new Uint8Array(32)), 'vault provider misconfigured: invalid passphrase');
      assert.deepEqual(await transport.unlock(UNLOCK_KEY), { locked: false });
      assert.deepEqual(await transport.status(), { locked: false });
      assert.deepEqual(await transport.lock(), { locked: true });
    });

    options.additionalTests?.(use);
  });
}
