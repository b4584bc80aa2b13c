/**
 * 1. Broker overhead in-process: `createInprocTransport` over `createBrokerService` (real vault on
 * disk, `OPENAI_API_KEY` provisioned, undici upstream to the HTTPS mock) invoking
 * `openai/chat-completions`, against a direct undici keep-alive request to the same mock.
 * Goal: ≤1.10× median. An informative row times the pipeline alone (in-memory upstream).
 */
import { chatEnvelope } from '../_envelopes.js';
import { inMemoryUpstream, inprocClient, undiciUpstreamFor } from '../_inproc.js';
import { fmtMs } from '../_report.js';
import { iterations, versusDirect, type Scenario } from '../_scenario.js';
import { summarise } from '../_stats.js';

export const s1InprocOverhead: Scenario = {
  id: 1,
  title: 'inproc broker vs direct',
  async run(ctx) {
    const upstream = await ctx.upstream();
    const vault = await ctx.vault();
    const client = await inprocClient(ctx, vault.env, undiciUpstreamFor(ctx, upstream));
    const envelope = chatEnvelope();
    const { rows, baseline } = await versusDirect(ctx, upstream, { label: '1 inproc', maxRatio: 1.1, ours: () => client.invoke(envelope), iterations: 3000 });

    const pipelineOnly = await inprocClient(ctx, vault.env, inMemoryUpstream);
    const alone: number[] = [];
    for (let i = 0; i < iterations(ctx, 300, 20); i++) await pipelineOnly.invoke(envelope);
    for (let i = 0; i < iterations(ctx, 2000, 100); i++) {
      const start = process.hrtime.bigint();
      await pipelineOnly.invoke(envelope);
      alone.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const a = summarise(alone);
    rows.push({
      scenario: '1 broker alone (no network) median',
      ours: fmtMs(a.median),
      baseline: `${fmtMs(baseline.median)} net`,
      ratio: null,
      goal: '(info)',
      pass: null,
      data: { pipelineOnly: a },
    });
    return rows;
  },
};
