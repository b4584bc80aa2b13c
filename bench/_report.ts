/**
 * One table for the terminal and `bench/results.json` for machines. A row carries the display
 * strings plus the raw numbers behind them, so the JSON keeps everything the table rounds away.
 */
import { writeFile } from 'node:fs/promises';

export interface Row {
  /** e.g. `1 inproc overhead (median)`. */
  scenario: string;
  ours: string;
  baseline: string;
  /** ours / baseline (or the quantity the goal is stated on); `null` when there is no ratio. */
  ratio: number | null;
  goal: string;
  /** `null`: informative row, no goal. */
  pass: boolean | null;
  /** Raw numbers (ms, req/s, bytes) for results.json. */
  data?: Record<string, unknown>;
}

export interface ScenarioOutcome {
  id: number;
  title: string;
  rows: Row[];
  /** Measured with `--quick` (smoke sizes). */
  quick: boolean;
  /** Set when the scenario itself failed; its rows may be empty. */
  error?: string;
  seconds: number;
}

export const fmtMs = (ms: number): string => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`);
export const fmtRate = (perSecond: number): string => `${perSecond.toFixed(0)} req/s`;
export const fmtMiB = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
export const fmtRatio = (ratio: number | null): string => (ratio === null || !Number.isFinite(ratio) ? '—' : `${ratio.toFixed(2)}×`);

export function renderTable(outcomes: readonly ScenarioOutcome[]): string {
  const header = ['scenario', 'ours', 'baseline', 'ratio', 'goal', ''];
  const lines: string[][] = [];
  for (const outcome of outcomes) {
    if (outcome.error !== undefined) lines.push([`${outcome.id} ${outcome.title}`, 'FAILED', '', '', '', '✗']);
    for (const row of outcome.rows) lines.push([row.scenario, row.ours, row.baseline, fmtRatio(row.ratio), row.goal, row.pass === null ? '' : row.pass ? '✓' : '✗']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => [...(l[i] ?? '')].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const errors = outcomes.filter((o) => o.error !== undefined).map((o) => `scenario ${o.id} failed: ${o.error}`);
  return [fmt(header), rule, ...lines.map(fmt), ...(errors.length > 0 ? ['', ...errors] : [])].join('\n');
}

export async function writeResults(path: string, outcomes: readonly ScenarioOutcome[], meta: Record<string, unknown>): Promise<void> {
  const body = { generatedAt: new Date().toISOString(), ...meta, scenarios: outcomes };
  await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
}
