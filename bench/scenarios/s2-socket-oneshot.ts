/**
 * 2. The daemon over the unix socket, one request per connection (the original client's way),
 * from a warm library client in this process, against a direct undici keep-alive request.
 * Goal: ≤1.6× median.
 */
import { createClient } from '../../src/core/index.js';
import { createSocketTransport } from '../../src/transport-socket/index.js';
import { chatEnvelope } from '../_envelopes.js';
import { versusDirect, type Scenario } from '../_scenario.js';

export const s2SocketOneShot: Scenario = {
  id: 2,
  title: 'socket one-shot vs direct',
  async run(ctx) {
    const upstream = await ctx.upstream();
    const daemon = await ctx.daemon();
    const client = createClient({ transport: createSocketTransport({ path: daemon.socketPath }) });
    ctx.defer(() => client.close());
    const envelope = chatEnvelope();
    const { rows } = await versusDirect(ctx, upstream, { label: '2 socket one-shot', maxRatio: 1.6, ours: () => client.invoke(envelope), iterations: 2000 });
    return rows;
  },
};
