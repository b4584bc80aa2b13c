/**
 * 3. The daemon over one persistent multiplexed socket connection vs direct.
 * Goals: ≤1.3× median, and p99 overhead (ours p99 − direct p99) ≤2 ms.
 */
import { createClient } from '../../src/core/index.js';
import { createSocketTransport } from '../../src/transport-socket/index.js';
import { chatEnvelope } from '../_envelopes.js';
import { fmtMs } from '../_report.js';
import { versusDirect, type Scenario } from '../_scenario.js';

export const s3SocketPersistent: Scenario = {
  id: 3,
  title: 'socket persistent vs direct',
  async run(ctx) {
    const upstream = await ctx.upstream();
    const daemon = await ctx.daemon();
    const client = createClient({ transport: createSocketTransport({ path: daemon.socketPath, persistent: true }) });
    ctx.defer(() => client.close());
    const envelope = chatEnvelope();
    const { rows, ours, baseline } = await versusDirect(ctx, upstream, { label: '3 socket persistent', maxRatio: 1.3, ours: () => client.invoke(envelope), iterations: 3000 });
    const overhead = ours.p99 - baseline.p99;
    rows[1] = { ...rows[1]!, scenario: '3 socket persistent p99 overhead', ratio: ours.p99 / baseline.p99, goal: `Δ ${fmtMs(overhead)} ≤2 ms`, pass: overhead <= 2 };
    return rows;
  },
};
