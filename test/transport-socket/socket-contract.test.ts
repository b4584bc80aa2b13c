import { createSocketTransport } from '../../src/transport-socket/index.js';
import { runTransportContract } from '../contract/transport.contract.js';
import { startSocketServer } from './_harness.js';

for (const persistent of [false, true]) {
  runTransportContract({
    name: persistent ? 'socket (persistent multiplexed)' : 'socket (one request per connection)',
    transportName: 'socket',
    gonePeerNeedsWrite: !persistent,
    makeTransport: async (service) => {
      const fixture = await startSocketServer(service);
      const transport = createSocketTransport({ path: fixture.path, persistent });
      return {
        transport,
        close: async () => {
          await transport.close();
          await fixture.close();
        },
      };
    },
  });
}
