/**
 * 4. Throughput with 64 concurrent clients: each client a loop of sequential calls for a fixed
 * time. Ours: 64 library clients on the daemon's socket, one request per connection (as separate
 * agents would call it). Baseline: 64 direct undici keep-alive clients to the mock, in the same
 * run. Goal: ours ≥0.5× the direct rate; both absolute rates reported. An informative row runs
 * the 64 clients over persistent multiplexed connections instead.
 */
import { createClient, type Client } from '../../src/core/index.js';
import { createSocketTransport } from '../../src/transport-socket/index.js';
import type { BenchContext } from '../_context.js';
import { chatEnvelope } from '../_envelopes.js';
import { fmtMs, fmtRate } from '../_report.js';
import type { Scenario } from '../_scenario.js';
import { summarise, type Summary } from '../_stats.js';
import { createDirectClient } from '../_upstream.js';

const CLIENTS = 64;

interface Load {
  completed: number;
  errors: number;
  firstError?: string;
  seconds: number;
  rate: number;
  latency: Summary;
}

export const s4Throughput: Scenario = {
  id: 4,
  title: `throughput, ${CLIENTS} concurrent clients`,
  async run(ctx) {
    const upstream = await ctx.upstream();
    const daemon = await ctx.daemon();
    const seconds = ctx.options.quick ? 1 : 6;
    const envelope = chatEnvelope();

    const directs = Array.from({ length: CLIENTS }, () => createDirectClient(upstream));
    ctx.defer(async () => void (await Promise.all(directs.map((d) => d.close()))));
    const oneShot = clients(ctx, daemon.socketPath, false);
    const persistent = clients(ctx, daemon.socketPath, true);

    // Warm every connection and pool, then measure each side alone.
    await run(1, (i) => directs[i]!.chat());
    await run(1, (i) => oneShot[i]!.invoke(envelope));
    await run(1, (i) => persistent[i]!.invoke(envelope));
    const direct = await run(seconds, (i) => directs[i]!.chat());
    const ours = await run(seconds, (i) => oneShot[i]!.invoke(envelope));
    const multiplexed = await run(seconds, (i) => persistent[i]!.invoke(envelope));

    const ratio = ours.rate / direct.rate;
    const clean = ours.errors === 0 && direct.errors === 0;
    return [
      {
        scenario: `4 throughput ${CLIENTS} clients (socket one-shot)`,
        ours: fmtRate(ours.rate),
        baseline: fmtRate(direct.rate),
        ratio,
        goal: '≥0.50×, no errors',
        pass: ratio >= 0.5 && clean,
        data: { clients: CLIENTS, seconds, ours, direct },
      },
      {
        scenario: '4 latency under load median',
        ours: fmtMs(ours.latency.median),
        baseline: fmtMs(direct.latency.median),
        ratio: ours.latency.median / direct.latency.median,
        goal: '(info)',
        pass: null,
      },
      {
        scenario: `4 throughput ${CLIENTS} clients (persistent)`,
        ours: fmtRate(multiplexed.rate),
        baseline: fmtRate(direct.rate),
        ratio: multiplexed.rate / direct.rate,
        goal: '(info)',
        pass: null,
        data: { multiplexed },
      },
    ];
  },
};

// --- internal ---

function clients(ctx: BenchContext, path: string, persistent: boolean): Client[] {
  const list = Array.from({ length: CLIENTS }, () => createClient({ transport: createSocketTransport({ path, persistent }) }));
  ctx.defer(async () => void (await Promise.all(list.map((c) => c.close()))));
  return list;
}

/** Every client loops until the deadline; counts completions and errors. */
async function run(seconds: number, call: (client: number) => Promise<unknown>): Promise<Load> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      while (process.hrtime.bigint() < deadline) {
        const t0 = process.hrtime.bigint();
        try {
          await call(i);
          completed++;
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return { completed, errors, ...(firstError === undefined ? {} : { firstError }), seconds: elapsed, rate: completed / elapsed, latency: summarise(latencies) };
}
