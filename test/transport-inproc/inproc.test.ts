import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createInprocTransport } from '../../src/transport-inproc/index.js';
import { runTransportContract } from '../contract/transport.contract.js';

runTransportContract({
  name: 'inproc',
  transportName: 'inproc',
  makeTransport: async (service) => {
    const transport = createInprocTransport(service);
    return { transport, close: () => transport.close() };
  },
  additionalTests: (use) => {
    it('passes the caller signal to the broker', () =>
      use(async ({ service, transport }) => {
        const controller = new AbortController();
        await transport.invoke({ envelope: { capability: 'test/echo', request: { method: 'GET', path: '/' } }, clientIp: '127.0.0.1' }, { signal: controller.signal });
        assert.equal(service.calls[0]!.signal, controller.signal);
      }));
  },
});
