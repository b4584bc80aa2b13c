/**
 * Execution through the injected upstream client (broker.md §10): URL and safe URL, planned
 * headers (+ the multipart encoder's content type, + a default `accept` (any type) when absent, as the original's
 * client adds), the encoded body, execution-time signing, the mTLS identity, and one timeout for
 * the whole exchange (connect to last body byte). Redirects are never followed: a 3xx is returned
 * as is by the upstream port. Errors carry the safe URL only.
 *
 * @see ../../../shared/spec/broker.md §10, §8.2
 */
import { BrokerError } from '../broker-error.js';
import type { UpstreamResponse } from '../ports.js';
import type { AuthOutput } from './auth/types.js';
import { encodeBody } from './body.js';
import type { Header } from './headers.js';
import { effectiveTimeoutMs, type ResolvedBrokerOptions } from './options.js';
import type { PolicyPlan } from './plan.js';
import { buildSafeUrl, buildUpstreamUrl, redactMessage } from './safe-url.js';
import type { CallContext } from './types.js';
import { raceSignal } from './_race-signal.js';

/** One upstream exchange in flight. Call `finish()` once the body is consumed or abandoned. */
export interface Exchange {
  response: UpstreamResponse;
  /** Aborts on timeout or caller cancellation; body reads race it. */
  signal: AbortSignal;
  safeUrl: string;
  requestBytes: number;
  finish(): void;
  /** Turns anything thrown while talking upstream into a redacted `BrokerError`. */
  fail(error: unknown): BrokerError;
}

type ExecDeps = Pick<ResolvedBrokerOptions, 'upstream' | 'fs' | 'cwd' | 'timer' | 'options'>;

export async function executePlan(deps: ExecDeps, plan: PolicyPlan, auth: AuthOutput, ctx: CallContext): Promise<Exchange> {
  const { scheme, authority } = plan.target;
  const safeUrl = buildSafeUrl(scheme, authority, auth.safePath, auth.safeQuery);
  let built: ReturnType<typeof buildUpstreamUrl>;
  try {
    built = buildUpstreamUrl(scheme, authority, auth.path, auth.query);
  } catch {
    throw new BrokerError({ code: 'upstream_error', message: `invalid upstream url (${safeUrl})` });
  }
  const redact = (message: string) => redactMessage(message, built.href, safeUrl, auth.secrets);

  const body = await encodeBody(plan.body, deps.fs, deps.cwd);
  const headers: Header[] = [...plan.headers];
  if (body.contentType !== undefined) headers.push(['content-type', body.contentType]);
  headers.push(...auth.headers);
  if (!headers.some(([name]) => name === 'accept')) headers.push(['accept', '*/*']);
  if (auth.sign !== undefined) {
    const wire = { method: plan.method, authority, path: built.wirePath, query: auth.query, headers, body: body.bytes ?? new Uint8Array() };
    headers.push(...(await auth.sign(wire)));
  }

  const controller = new AbortController();
  const timeoutMs = effectiveTimeoutMs(ctx.timeoutMs, deps.options.defaultTimeoutMs);
  const cancelTimer = deps.timer.after(timeoutMs, () => {
    controller.abort(new BrokerError({ code: 'upstream_error', message: `error sending request for url (${safeUrl}): operation timed out` }));
  });
  const onCallerAbort = () => controller.abort(new BrokerError({ code: 'cancelled', message: 'operation cancelled' }));
  if (ctx.signal?.aborted) onCallerAbort();
  ctx.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const finish = () => {
    cancelTimer();
    ctx.signal?.removeEventListener('abort', onCallerAbort);
  };
  const fail = (error: unknown): BrokerError => {
    if (controller.signal.aborted && controller.signal.reason instanceof BrokerError) return controller.signal.reason;
    if (error instanceof BrokerError) {
      // Policy refusals from the client (connect-time SSRF guard) keep their code and text.
      if (error.code === 'policy_violation') return error;
      return new BrokerError({ code: error.code, message: redact(error.message) });
    }
    const detail = error instanceof Error ? error.message : 'request failed';
    return new BrokerError({ code: 'upstream_error', message: redact(`error sending request for url (${built.href}): ${detail}`) });
  };

  const requestBytes = body.bytes?.length ?? 0;
  try {
    const request = { url: built.href, method: plan.method, headers, body: body.bytes, signal: controller.signal };
    const response = await raceSignal(
      deps.upstream(auth.clientCertificate === undefined ? request : { ...request, clientCertificate: auth.clientCertificate }),
      controller.signal,
    );
    return { response, signal: controller.signal, safeUrl, requestBytes, finish, fail };
  } catch (error) {
    finish();
    throw fail(error);
  }
}
