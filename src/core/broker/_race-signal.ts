/**
 * Settles with `promise`, or rejects as soon as `signal` aborts (with `reason(signal)`), whichever
 * comes first; the losing promise's rejection is swallowed. Used where an upstream call or body
 * read must stop on the whole-exchange timeout.
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, reason: (signal: AbortSignal) => unknown = (s) => s.reason): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(reason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
