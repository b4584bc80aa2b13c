/**
 * 6. `aivault invoke` wall time (the built `bin/aivault.cjs`, spawn to exit) against the warm
 * daemon (`AIVAULTD_SOCKET`), vs `node -e 0`, interleaved. Goal: ≤1.5× median.
 */
import { CAPABILITY } from '../_envelopes.js';
import { runNode, type RunResult } from '../_proc.js';
import { iterations, latencyRows, type Scenario } from '../_scenario.js';
import { CHAT_PATH, chatBody } from '../_upstream.js';

export const s6CliStart: Scenario = {
  id: 6,
  title: 'aivault invoke vs node -e 0',
  async run(ctx) {
    const bundles = await ctx.bundles();
    const daemon = await ctx.daemon();
    const env = { ...(await ctx.childEnv()), AIVAULTD_SOCKET: daemon.socketPath, AIVAULTD_AUTOSTART: '0' };
    const cliArgs = [bundles.aivault, 'invoke', CAPABILITY, '--method', 'POST', '--path', CHAT_PATH, '--header', 'content-type: application/json', '--body', chatBody()];
    const checked = (expect: (r: RunResult) => boolean, what: string) => async () => {
      const r = await runNode(what === 'cli' ? cliArgs : ['-e', '0'], { env, timeoutMs: 30_000 });
      if (!expect(r)) throw new Error(`${what} run failed (exit ${r.code ?? r.signal}): ${r.stderr.trim().slice(0, 300)}`);
      return r;
    };
    const cli = checked((r) => r.code === 0 && r.stdout.includes('chatcmpl-bench'), 'cli');
    const node = checked((r) => r.code === 0, 'node');
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < iterations(ctx, 3, 1); i++) {
      await node();
      await cli();
    }
    for (let i = 0; i < iterations(ctx, 25, 3); i++) {
      const [first, second] = i % 2 === 0 ? [node, cli] : [cli, node];
      const a = await first();
      const b = await second();
      (first === cli ? ours : baseline).push(a.ms);
      (second === cli ? ours : baseline).push(b.ms);
    }
    return latencyRows('6 aivault invoke wall', ours, baseline, 1.5).rows;
  },
};
