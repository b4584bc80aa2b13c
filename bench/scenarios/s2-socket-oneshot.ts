/**
 * 2. The daemon over the unix socket, one request per connection (the original client's way),
 * from a warm library client in this process, against a direct undici keep-alive request.
 * Goal: ≤1.6× median.
 */
import { createClient } from '../../src/core/index.js';
import { createSocketTransport } from '../../src/transport-socket/index.js';
import { chatEnvelope } from '../_envelopes.js';
import { iterations, latencyRows, type Scenario } from '../_scenario.js';
import { interleaved } from '../_stats.js';
import { createDirectClient } from '../_upstream.js';

export const s2SocketOneShot: Scenario = {
  id: 2,
  title: 'socket one-shot vs direct',
  async run(ctx) {
    const upstream = await ctx.upstream();
    const daemon = await ctx.daemon();
    const client = createClient({ transport: createSocketTransport({ path: daemon.socketPath }) });
    ctx.defer(() => client.close());
    const direct = createDirectClient(upstream);
    ctx.defer(() => direct.close());
    const envelope = chatEnvelope();
    const samples = await interleaved({
      ours: () => client.invoke(envelope),
      baseline: () => direct.chat(),
      warmup: iterations(ctx, 300, 20),
      iterations: iterations(ctx, 2000, 100),
    });
    return latencyRows('2 socket one-shot', samples.ours, samples.baseline, 1.6).rows;
  },
};
