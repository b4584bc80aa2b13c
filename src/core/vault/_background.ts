/** Work a vault call starts but does not wait for (advisory `lastUsedAtMs` writes). */
import type { Background } from './_context.js';

/** Tasks run at once; one per `key` at a time (a second one while the first runs is dropped); failures ignored. */
export function createBackground(): Background {
  const running = new Map<string, Promise<void>>();
  return {
    run(key, task) {
      if (running.has(key)) return;
      const done = Promise.resolve()
        .then(task)
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => running.delete(key));
      running.set(key, done);
    },
    async settled() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
