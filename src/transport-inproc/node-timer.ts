/**
 * The Node `TimerPort`: unref'd timers that never keep the process alive. Node clamps any delay
 * above 2^31-1 ms to 1 ms, so a long `timeoutMs` (the CLI accepts any u64) would otherwise time
 * the call out at once; longer delays are armed in steps of at most that size instead.
 *
 * @see ../../shared/spec/broker.md §10.3
 */
import type { TimerPort } from '../core/index.js';

/** The largest delay `setTimeout` honours. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** @example const cancel = nodeTimer.after(30_000, () => controller.abort()) */
export const nodeTimer: TimerPort = {
  after(ms, fn) {
    let remaining = Number.isNaN(ms) ? 1 : Math.max(1, ms);
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
      remaining -= step;
      handle = setTimeout(remaining > 0 ? arm : fn, step);
      handle.unref();
    };
    arm();
    return () => clearTimeout(handle);
  },
};
