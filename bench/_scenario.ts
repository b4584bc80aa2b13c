/**
 * The scenario shape and the row builders for latency comparisons.
 */
import type { BenchContext } from './_context.js';
import { fmtMs, type Row } from './_report.js';
import { interleaved, summarise, type Summary } from './_stats.js';
import { createDirectClient, type UpstreamInfo } from './_upstream.js';

export interface Scenario {
  id: number;
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** Median ratio row (goal: ours ≤ `maxRatio` × baseline) plus an informative p99 row. */
export function latencyRows(label: string, ours: readonly number[], baseline: readonly number[], maxRatio: number): { rows: Row[]; ours: Summary; baseline: Summary } {
  const o = summarise(ours);
  const b = summarise(baseline);
  const ratio = o.median / b.median;
  const data = { ours: o, baseline: b };
  return {
    ours: o,
    baseline: b,
    rows: [
      { scenario: `${label} median`, ours: fmtMs(o.median), baseline: fmtMs(b.median), ratio, goal: `≤${maxRatio.toFixed(2)}×`, pass: ratio <= maxRatio, data },
      { scenario: `${label} p99`, ours: fmtMs(o.p99), baseline: fmtMs(b.p99), ratio: o.p99 / b.p99, goal: '(info)', pass: null },
    ],
  };
}

/** Iteration counts: full, or the `--quick` smoke size. */
export const iterations = (ctx: BenchContext, full: number, quick: number): number => (ctx.options.quick ? quick : full);

/**
 * `ours` interleaved with a direct keep-alive call to the same mock (after a warm-up), as latency
 * rows against `maxRatio`: the common shape of the broker-overhead scenarios.
 */
export async function versusDirect(
  ctx: BenchContext,
  upstream: UpstreamInfo,
  options: { label: string; maxRatio: number; ours: () => Promise<unknown>; iterations: number },
): Promise<ReturnType<typeof latencyRows>> {
  const direct = createDirectClient(upstream);
  ctx.defer(() => direct.close());
  const samples = await interleaved({
    ours: options.ours,
    baseline: () => direct.chat(),
    warmup: iterations(ctx, 300, 20),
    iterations: iterations(ctx, options.iterations, 100),
  });
  return latencyRows(options.label, samples.ours, samples.baseline, options.maxRatio);
}
