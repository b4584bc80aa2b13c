// A `timeoutMs` above setTimeout's 2^31-1 ms limit must not time the call out at once (Node clamps
// such delays to 1 ms); it bounds the exchange as a very long timeout (broker.md §10.3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIMER_DELAY_MS, nodeTimer } from '../../src/transport-inproc/node-timer.js';
import { standardHandler, startStrategyStack, type StrategyStack } from './_strategies-harness.js';

let stack: StrategyStack;
before(async () => {
  // The upstream answers after 30 ms: far beyond the 1 ms a clamped timer would allow.
  stack = await startStrategyStack(undefined, async (request, response) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return standardHandler(request, response);
  });
});
after(() => stack.close());

test('a timeoutMs beyond 2^31-1 ms still lets a slow upstream answer', async () => {
  await stack.addStrategy('slowacme', { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } }, 'sk-slow-1');
  const envelope = { capability: 'slowacme/api', request: { method: 'GET', path: '/v1/ok' } };
  for (const timeoutMs of [3_000_000_000, Number.MAX_SAFE_INTEGER]) {
    const result = await stack.client.invoke(envelope, { timeoutMs });
    assert.equal(result.response.status, 200);
    assert.equal(result.response.bodyUtf8, '{"ok":true}');
  }
});

test('nodeTimer arms long delays in steps setTimeout honours, and cancels them', () => {
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    delays.push(ms);
    return original(fn, 0);
  }) as typeof setTimeout;
  let cancel: () => void;
  try {
    cancel = nodeTimer.after(MAX_TIMER_DELAY_MS * 2 + 5, () => assert.fail('must not fire'));
  } finally {
    globalThis.setTimeout = original;
  }
  cancel();
  assert.deepEqual(delays, [MAX_TIMER_DELAY_MS]);
});
