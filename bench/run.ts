/**
 * `npm run bench`: broker overhead, daemon throughput, streaming and CLI start-up, each measured
 * against a baseline in the same run (never thresholds in unit tests). Prints one table and writes
 * `bench/results.json`.
 *
 *   npm run bench                     every scenario (~4-5 minutes on 2 cores)
 *   npm run bench -- --only 3         one scenario (or `--only 1,5`); merged into results.json
 *   npm run bench -- --quick          tiny iteration counts: checks the harness, measures nothing
 *                                     (prints the table, leaves results.json alone)
 *   node --cpu-prof --import tsx bench/run.ts --only 1    a CPU profile of the bench process
 *
 * Everything runs on loopback in a temp dir: the mock upstream and the daemon are child processes,
 * stopped and removed at the end.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBenchContext } from './_context.js';
import { renderTable, writeResults, type ScenarioOutcome } from './_report.js';
import type { Scenario } from './_scenario.js';
import { BENCH_ROOT } from './_upstream.js';
import { s1InprocOverhead } from './scenarios/s1-inproc-overhead.js';
import { s2SocketOneShot } from './scenarios/s2-socket-oneshot.js';
import { s3SocketPersistent } from './scenarios/s3-socket-persistent.js';
import { s4Throughput } from './scenarios/s4-throughput.js';
import { s5Streaming } from './scenarios/s5-streaming.js';
import { s6CliStart } from './scenarios/s6-cli-start.js';
import { s7ManySecrets } from './scenarios/s7-many-secrets.js';

const SCENARIOS: readonly Scenario[] = [s1InprocOverhead, s2SocketOneShot, s3SocketPersistent, s4Throughput, s5Streaming, s6CliStart, s7ManySecrets];
const RESULTS = join(BENCH_ROOT, 'bench/results.json');

const args = parseArgs(process.argv.slice(2));
const selected = args.only === null ? SCENARIOS : SCENARIOS.filter((s) => args.only!.includes(s.id));
const ctx = await createBenchContext({ quick: args.quick });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void ctx.close().finally(() => process.exit(130)));
}
const outcomes: ScenarioOutcome[] = [];
const started = Date.now();
try {
  for (const scenario of selected) {
    process.stderr.write(`[bench] ${scenario.id} ${scenario.title} …\n`);
    const t0 = Date.now();
    try {
      outcomes.push({ id: scenario.id, title: scenario.title, rows: await scenario.run(ctx), quick: args.quick, seconds: (Date.now() - t0) / 1000 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcomes.push({ id: scenario.id, title: scenario.title, rows: [], quick: args.quick, error: message, seconds: (Date.now() - t0) / 1000 });
    }
  }
} finally {
  await ctx.close();
}

process.stdout.write(`${renderTable(outcomes)}\n`);
const meta = {
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  quick: args.quick,
  seconds: (Date.now() - started) / 1000,
  ...ctx.notes,
};
if (!args.quick) await writeResults(RESULTS, await mergePrevious(outcomes), meta);
const daemonNote = ctx.notes['daemon'] === undefined ? '' : `daemon: ${String(ctx.notes['daemon'])}; `;
process.stdout.write(`\n${meta.seconds.toFixed(0)} s; ${daemonNote}${args.quick ? 'quick run, results.json not written' : 'results: bench/results.json'}\n`);
if (outcomes.some((o) => o.error !== undefined)) process.exitCode = 1;

// --- internal ---

function parseArgs(argv: string[]): { only: number[] | null; quick: boolean } {
  let only: number[] | null = null;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      only = (value ?? '').split(',').map((v) => Number(v.trim()));
      if (only.length === 0 || only.some((n) => !SCENARIOS.some((s) => s.id === n))) usage(`--only takes scenario numbers ${SCENARIOS.map((s) => s.id).join(',')}`);
    } else usage(`unknown argument '${arg}'`);
  }
  return { only, quick };
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--only N[,M…]] [--quick]\n`);
  process.exit(2);
}

/** A partial run (`--only`) keeps the other scenarios of the previous results. */
async function mergePrevious(current: ScenarioOutcome[]): Promise<ScenarioOutcome[]> {
  if (args.only === null || !existsSync(RESULTS)) return current;
  try {
    const previous = JSON.parse(await readFile(RESULTS, 'utf8')) as { scenarios?: ScenarioOutcome[] };
    const kept = (previous.scenarios ?? []).filter((s) => !current.some((c) => c.id === s.id));
    return [...kept, ...current].sort((a, b) => a.id - b.id);
  } catch {
    return current;
  }
}
