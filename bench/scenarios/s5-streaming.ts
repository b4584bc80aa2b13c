/**
 * 5. Streaming. Time to first body byte through the in-process broker vs direct (goal: overhead
 * ≤1 ms at the median; the mock sends one event at once and ends 5 ms later, so a buffering path
 * shows), plus the same through the persistent socket (informative). Then a 1 GiB body (64 KiB
 * chunks from the mock) through (a) an in-process broker in a child process (the built package, as
 * a library user loads it) and (b) a fresh daemon with `aivault invoke --stream` writing to
 * /dev/null: peak RSS of each process under 100 MB.
 * The baseline process reads the same body straight from the mock with undici.
 */
import { dirname } from 'node:path';
import { createClient, type Client } from '../../src/core/index.js';
import { createSocketTransport } from '../../src/transport-socket/index.js';
import type { BenchContext } from '../_context.js';
import { ttfbEnvelope } from '../_envelopes.js';
import { inprocClient, undiciUpstreamFor } from '../_inproc.js';
import { peakRssBytes, REPORT_MAX_RSS_IMPORT, reportedMaxRss, runNode } from '../_proc.js';
import { fmtMs, type Row } from '../_report.js';
import { iterations, type Scenario } from '../_scenario.js';
import { interleaved, summarise } from '../_stats.js';
import { CHAT_PATH, chatBody, createDirectClient, type DirectClient } from '../_upstream.js';

const GIB = 1024 ** 3;
const RSS_LIMIT = 100 * 1000 * 1000;
const fmtMB = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);

export const s5Streaming: Scenario = {
  id: 5,
  title: 'streaming: first byte and 1 GiB bodies',
  async run(ctx) {
    return [...(await firstByteRows(ctx)), ...(await largeBodyRows(ctx))];
  },
};

// --- internal ---

async function firstByteRows(ctx: BenchContext): Promise<Row[]> {
  const upstream = await ctx.upstream();
  const vault = await ctx.vault();
  const direct = createDirectClient(upstream);
  ctx.defer(() => direct.close());
  const inproc = await inprocClient(ctx, vault.env, undiciUpstreamFor(ctx, upstream));
  const daemon = await ctx.daemon();
  const socket = createClient({ transport: createSocketTransport({ path: daemon.socketPath, persistent: true }) });
  ctx.defer(() => socket.close());

  const rows: Row[] = [];
  for (const [label, client, goal] of [['5 first byte inproc', inproc, true], ['5 first byte socket persistent', socket, false]] as const) {
    const samples = await firstByteSamples(ctx, client, direct);
    const o = summarise(samples.ours);
    const b = summarise(samples.baseline);
    const overhead = o.median - b.median;
    rows.push({
      scenario: `${label} median`,
      ours: fmtMs(o.median),
      baseline: fmtMs(b.median),
      ratio: o.median / b.median,
      goal: goal ? `Δ ${fmtMs(overhead)} ≤1 ms` : `Δ ${fmtMs(overhead)} (info)`,
      pass: goal ? overhead <= 1 : null,
      data: { ours: o, baseline: b },
    });
  }
  return rows;
}

/** Time from the call to its first body chunk; each stream is read to its end before the next. */
async function firstByteSamples(ctx: BenchContext, client: Client, direct: DirectClient): Promise<{ ours: number[]; baseline: number[] }> {
  const envelope = ttfbEnvelope();
  const body = chatBody('bench-ttfb');
  const firstOurs: number[] = [];
  const firstDirect: number[] = [];
  let warm = true;
  const record = (into: number[], start: bigint) => () => void (warm || into.push(Number(process.hrtime.bigint() - start) / 1e6));
  const ours = async () => {
    const start = process.hrtime.bigint();
    const mark = record(firstOurs, start);
    let first = true;
    for await (const _ of client.stream(envelope)) {
      if (first) mark();
      first = false;
    }
  };
  const baseline = async () => {
    const start = process.hrtime.bigint();
    await direct.stream(body, record(firstDirect, start));
  };
  await interleaved({
    ours,
    baseline,
    warmup: iterations(ctx, 50, 5),
    iterations: iterations(ctx, 600, 40),
    budgetMs: 15_000,
    onMeasureStart: () => (warm = false),
  });
  return { ours: firstOurs, baseline: firstDirect };
}

async function largeBodyRows(ctx: BenchContext): Promise<Row[]> {
  const total = ctx.options.quick ? 64 * 1024 * 1024 : GIB;
  const upstream = await ctx.upstream();
  const bundles = await ctx.bundles();
  const env = await ctx.childEnv();
  const timeoutMs = 240_000;
  const label = ctx.options.quick ? '64 MiB' : '1 GiB';

  const baseline = parseChild(await runNode([bundles.child('direct-stream'), String(total), String(upstream.port), upstream.caPath], { env, timeoutMs }), total);
  // The CLI build folder also holds the library entries: the in-process child runs the package.
  const dist = dirname(dirname(bundles.aivault));
  const inproc = parseChild(await runNode([bundles.child('inproc-stream'), String(total), dist], { env, timeoutMs }), total);

  const daemon = await ctx.freshDaemon('stream-daemon');
  let daemonIdle: number | null;
  let daemonPeak: number | null;
  let cli;
  try {
    daemonIdle = await peakRssBytes(daemon.pid);
    cli = await runNode(
      ['--import', REPORT_MAX_RSS_IMPORT, bundles.aivault, 'invoke', 'openai/chat-completions', '--method', 'POST', '--path', CHAT_PATH,
        '--header', 'content-type: application/json', '--body', chatBody(`bench-bytes-${total}`), '--stream'],
      { env: { ...env, AIVAULTD_SOCKET: daemon.socketPath, AIVAULTD_AUTOSTART: '0' }, stdout: 'ignore', timeoutMs },
    );
    daemonPeak = await peakRssBytes(daemon.pid);
  } finally {
    await daemon.stop();
  }
  const cliRss = reportedMaxRss(cli.stderr);
  const cliProblem = cli.code !== 0 ? `exit ${cli.code ?? cli.signal}: ${cli.stderr.replace(/maxrss=\d+\n?/, '').trim().slice(0, 300)}` : undefined;
  const mibps = (ms: number) => `${((total / (1024 * 1024)) / (ms / 1000)).toFixed(0)} MiB/s`;
  const rssRow = (scenario: string, bytes: number | null, base: string, baseBytes: number | null, ms: number | null, problem?: string): Row => ({
    scenario,
    ours: problem !== undefined ? 'FAILED' : `${fmtMB(bytes)}${ms === null ? '' : ` ${mibps(ms)}`}`,
    baseline: base,
    ratio: bytes !== null && baseBytes !== null ? bytes / baseBytes : null,
    goal: '<100 MB',
    pass: problem === undefined && bytes !== null && bytes < RSS_LIMIT,
    data: { bytes, baseBytes, ms, total, ...(problem === undefined ? {} : { problem }) },
  });
  const directText = `${fmtMB(baseline.maxRssBytes)} ${mibps(baseline.ms)} direct`;
  return [
    rssRow(`5 ${label} inproc process peak RSS`, inproc.maxRssBytes, directText, baseline.maxRssBytes, inproc.ms, inproc.problem),
    rssRow(`5 ${label} daemon peak RSS`, daemonPeak, `${fmtMB(daemonIdle)} idle`, daemonIdle, null, cliProblem),
    rssRow(`5 ${label} CLI --stream peak RSS`, cliRss, directText, baseline.maxRssBytes, cli.ms, cliProblem),
  ];
}

interface ChildReport {
  bytes: number;
  ms: number;
  maxRssBytes: number | null;
  problem?: string;
}

function parseChild(run: Awaited<ReturnType<typeof runNode>>, expected: number): ChildReport {
  try {
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as ChildReport;
    if (run.code !== 0 || report.bytes !== expected) return { ...report, problem: `exit ${run.code}, ${report.bytes} of ${expected} bytes` };
    return report;
  } catch {
    return { bytes: 0, ms: 0, maxRssBytes: null, problem: `exit ${run.code ?? run.signal}: ${run.stderr.trim().slice(0, 300)}` };
  }
}
