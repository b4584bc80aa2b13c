/**
 * Order statistics over latency samples (milliseconds) and the ratios the bench reports.
 * Medians and p99 use the nearest-rank method on a sorted copy.
 */

export interface Summary {
  n: number;
  median: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (`p` in 0..100) of already sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** `process.hrtime.bigint()` delta in milliseconds. */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * Runs `ours` and `baseline` in alternating blocks (after a warm-up of each), so drift in the
 * machine's load hits both sides alike. Each call's own latency is one sample. The iteration count
 * is capped so the measured part takes about `budgetMs` (judged from the warm-up), never below
 * `minIterations`.
 */
export async function interleaved(options: {
  ours: () => Promise<unknown>;
  baseline: () => Promise<unknown>;
  warmup: number;
  iterations: number;
  /** @default 20 000 */
  budgetMs?: number;
  /** @default 200 */
  minIterations?: number;
  /** @default 10 */
  blocks?: number;
  /** Called between the warm-up and the measured blocks. */
  onMeasureStart?: () => void;
}): Promise<{ ours: number[]; baseline: number[] }> {
  const { warmup } = options;
  const warmStart = process.hrtime.bigint();
  for (let i = 0; i < warmup; i++) {
    await options.baseline();
    await options.ours();
  }
  options.onMeasureStart?.();
  const perPair = warmup > 0 ? msSince(warmStart) / warmup : 0;
  const budgeted = perPair > 0 ? Math.floor((options.budgetMs ?? 20_000) / perPair) : options.iterations;
  const iterations = Math.min(options.iterations, Math.max(Math.min(options.minIterations ?? 200, options.iterations), budgeted));
  const blocks = options.blocks ?? 10;
  const perBlock = Math.max(1, Math.ceil(iterations / blocks));
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const [first, second] = b % 2 === 0 ? [options.baseline, options.ours] : [options.ours, options.baseline];
    const [firstOut, secondOut] = b % 2 === 0 ? [baseline, ours] : [ours, baseline];
    for (let i = 0; i < perBlock; i++) firstOut.push(await timed(first));
    for (let i = 0; i < perBlock; i++) secondOut.push(await timed(second));
  }
  return { ours, baseline };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return msSince(start);
}
