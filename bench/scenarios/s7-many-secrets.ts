/**
 * 7. Credential resolution cost: the same capability on a long-lived in-process service whose
 * vault holds 10 secrets vs one holding 10,000 (filler secrets written by the vault API), both
 * against the mock, interleaved. Goal: ≤1.2× median. An informative row repeats it with an
 * in-memory upstream, where only the broker's own work (resolution included) is timed.
 */
import type { BenchContext } from '../_context.js';
import { chatEnvelope } from '../_envelopes.js';
import { inMemoryUpstream, inprocClient, undiciUpstreamFor } from '../_inproc.js';
import { fmtMs, type Row } from '../_report.js';
import { iterations, latencyRows, type Scenario } from '../_scenario.js';
import { interleaved, summarise } from '../_stats.js';
import { createBenchVault } from '../_vault.js';

export const s7ManySecrets: Scenario = {
  id: 7,
  title: 'credential resolution, 10 vs 10,000 secrets',
  async run(ctx) {
    const many = ctx.options.quick ? 1_000 : 10_000;
    const upstream = await ctx.upstream();
    const t0 = Date.now();
    const small = await createBenchVault(await ctx.tempDir('vault-10'), { fillers: 9 });
    const large = await createBenchVault(await ctx.tempDir(`vault-${many}`), { fillers: many - 1 });
    const seedSeconds = (Date.now() - t0) / 1000;
    const port = undiciUpstreamFor(ctx, upstream);
    const rows = await compare(ctx, `7 ${large.secrets} vs ${small.secrets} secrets`, small.env, large.env, (env) => inprocClient(ctx, env, port), 1.2);
    const alone = await compare(ctx, '7 same, broker alone (no network)', small.env, large.env, (env) => inprocClient(ctx, env, inMemoryUpstream), null);
    rows[0] = { ...rows[0]!, data: { ...rows[0]!.data, secrets: { small: small.secrets, large: large.secrets }, seedSeconds } };
    return [...rows, ...alone];
  },
};

// --- internal ---

async function compare(
  ctx: BenchContext,
  label: string,
  smallEnv: Record<string, string>,
  largeEnv: Record<string, string>,
  make: (env: Record<string, string>) => ReturnType<typeof inprocClient>,
  maxRatio: number | null,
): Promise<Row[]> {
  const [smallClient, largeClient] = [await make(smallEnv), await make(largeEnv)];
  const envelope = chatEnvelope();
  const samples = await interleaved({
    ours: () => largeClient.invoke(envelope),
    baseline: () => smallClient.invoke(envelope),
    warmup: iterations(ctx, 30, 5),
    iterations: iterations(ctx, 1000, 40),
    budgetMs: 15_000,
    minIterations: 100,
  });
  if (maxRatio !== null) return latencyRows(label, samples.ours, samples.baseline, maxRatio).rows;
  const o = summarise(samples.ours);
  const b = summarise(samples.baseline);
  return [{ scenario: `${label} median`, ours: fmtMs(o.median), baseline: fmtMs(b.median), ratio: o.median / b.median, goal: '(info)', pass: null, data: { ours: o, baseline: b } }];
}
