/**
 * `createBroker`: the pipeline end to end. Validate the envelope, plan (steps 2-18), render auth
 * (step 19, with the OAuth planning refresh of §7.1), execute, apply the one forced refresh and
 * retry on an upstream 401 for stored OAuth2 credentials (§7.3, buffered and streamed), shape the
 * response, and append one `capability.invoked` audit event per call, refused calls included.
 *
 * @see ../../../shared/spec/broker.md §4, §7, §10, §11; spec/README.md Decisions 8, 16
 */
import { BrokerError, isBrokerError } from '../broker-error.js';
import { wipe } from '../encoding.js';
import type { ErrorCode } from '../error-codes.js';
import { buildInvokedEvent, type CallTrace } from './audit-event.js';
import { renderAuth } from './auth/render.js';
import { authParts } from './auth/strategy.js';
import type { AuthOutput } from './auth/types.js';
import { isValidated, normaliseEnvelope, parseEnvelope } from './envelope-schema.js';
import { executePlan, type Exchange } from './execute.js';
import { filterResponseHeaders } from './headers.js';
import { refreshOAuthToken } from './oauth.js';
import { resolveBrokerOptions, type BrokerOptions, type ResolvedBrokerOptions } from './options.js';
import { planEnvelope, type PolicyPlan } from './plan.js';
import { abortable, applyBodyPolicy, DEFERRED_401_LIMIT, DEFERRED_401_MESSAGE, discard, readLimited, rechunk, requiresBuffering } from './response.js';
import { isVisibleAscii } from './to-result.js';
import type { Broker, BrokerRequest, BrokerResponse, CallContext, Envelope } from './types.js';

export const LOAD_PURPOSE = 'broker.credential.load';

/**
 * Plans one call (steps 2-18 or a mode's own steps). `trace` is filled as facts become known so
 * refused calls are audited too; `retry` is the OAuth re-plan of §7.3 (no second rate quota).
 */
export type Planner = (trace: CallTrace, retry: boolean) => Promise<PolicyPlan>;

/**
 * The pipeline with its planning step supplied by the caller, so envelope, passthrough and
 * WebSocket modes share one execution, OAuth retry and audit path (transports.md §10).
 * @internal for the proxy service; applications use {@link createBroker}.
 */
export interface BrokerCore extends Broker {
  /** Plans with `planner`, renders auth, executes and shapes the response; audited once. */
  run(planner: Planner, stream: boolean, ctx: CallContext): Promise<BrokerResponse>;
  /** Plans and renders auth without executing (the WebSocket upgrade); audited once. */
  prepare(planner: Planner, ctx: CallContext): Promise<{ plan: PolicyPlan; auth: AuthOutput }>;
  /** Audits a call refused before planning started (an invalid proxy token), then throws it. */
  refuse(error: unknown, ctx: CallContext): Promise<never>;
  readonly deps: ResolvedBrokerOptions;
}

/**
 * @example
 * const broker = createBroker({ state, upstream, fs, crypto, clock, timer, rateLimiter, audit, cwd })
 * const result = await toResult(await broker.handle({ envelope, stream: false }, ctx))
 */
export function createBroker(options: BrokerOptions): Broker {
  const core = createBrokerCore(options);
  return { handle: core.handle };
}

/** @internal see {@link BrokerCore} */
export function createBrokerCore(options: BrokerOptions): BrokerCore {
  const deps = resolveBrokerOptions(options);
  const audited = (ctx: CallContext) => {
    const trace: CallTrace = { startedAtMs: deps.clock.now() };
    let done = false;
    const audit = async (error?: ErrorCode): Promise<void> => {
      if (done) return;
      done = true;
      try {
        await deps.audit(buildInvokedEvent(trace, ctx, deps.clock.now(), error));
      } catch {
        // Audit is best effort: a failing sink never fails the call.
      }
    };
    const fail = async (error: unknown): Promise<never> => {
      const failure = BrokerError.from(error);
      await audit(failure.code);
      throw failure;
    };
    return { trace, audit, fail };
  };
  const run = async (planner: Planner, stream: boolean, ctx: CallContext): Promise<BrokerResponse> => {
    const { trace, audit, fail } = audited(ctx);
    try {
      const plan = await planner(trace, false);
      return await respond(deps, planner, plan, stream, ctx, trace, audit);
    } catch (error) {
      return fail(error);
    }
  };
  return {
    deps,
    run,
    handle(request: BrokerRequest, ctx: CallContext): Promise<BrokerResponse> {
      let envelope: Envelope | undefined;
      return run(async (trace, retry) => {
        // validated once: an envelope the daemon's decoder already checked is only normalised
        envelope ??= isValidated(request.envelope) ? normaliseEnvelope(request.envelope) : parseEnvelope(request.envelope);
        return planEnvelope(deps, envelope, ctx, trace, { retry });
      }, request.stream, ctx);
    },
    async prepare(planner, ctx) {
      const { trace, audit, fail } = audited(ctx);
      try {
        const plan = await planner(trace, false);
        const auth = await authorize(deps, plan, 'first');
        await audit();
        return { plan, auth };
      } catch (error) {
        return fail(error);
      }
    },
    refuse: (error, ctx) => audited(ctx).fail(error),
  };
}

// --- internal ---

type Audit = (error?: ErrorCode) => Promise<void>;

async function respond(
  deps: ResolvedBrokerOptions,
  planner: Planner,
  firstPlan: PolicyPlan,
  stream: boolean,
  ctx: CallContext,
  trace: CallTrace,
  audit: Audit,
): Promise<BrokerResponse> {
  let plan = firstPlan;
  const attempt = async (mode: AuthMode): Promise<Exchange> => {
    const auth = await authorize(deps, plan, mode);
    const exchange = await executePlan(deps, plan, auth, ctx);
    trace.requestBytes = (trace.requestBytes ?? 0) + exchange.requestBytes;
    return exchange;
  };
  const oauthRetry = (ex: Exchange) =>
    ex.response.status === 401 && plan.credential.source === 'stored' && authParts(plan.credential.auth).kind === 'o_auth2';
  // §7.3: one forced refresh of the planned credential, then the original request is planned again
  // from scratch (a fresh state view, every policy step; the call's rate quota is not taken twice)
  // and executed once more with the written-back token.
  const retry = async (): Promise<Exchange> => {
    wipe(await refreshOAuthToken(refreshDepsOf(deps), plan.state, plan.credential, true));
    plan = await planner(trace, true);
    return attempt('retry');
  };
  const held = async (ex: Exchange): Promise<Uint8Array> => {
    try {
      return await readLimited(ex.response.body, DEFERRED_401_LIMIT, DEFERRED_401_MESSAGE, ex.signal);
    } catch (error) {
      throw ex.fail(error);
    } finally {
      ex.finish();
    }
  };
  const buffered = async (ex: Exchange): Promise<Uint8Array> => {
    const max = plan.policy?.maxResponseBodyBytes;
    let raw: Uint8Array;
    try {
      raw = await readLimited(ex.response.body, max ?? Number.POSITIVE_INFINITY, 'response body exceeds capability size limit', ex.signal, 'policy_violation');
    } catch (error) {
      throw ex.fail(error);
    } finally {
      ex.finish();
    }
    return applyBodyPolicy(raw, plan.policy);
  };
  const finalise = async (ex: Exchange, body: Uint8Array): Promise<BrokerResponse> => {
    trace.status = ex.response.status;
    trace.responseBytes = body.length;
    await audit();
    return shape(plan, ex, single(body));
  };

  let ex = await attempt('first');
  if (!stream || requiresBuffering(plan.policy)) {
    if (oauthRetry(ex)) {
      ex.finish();
      await discard(ex.response.body);
      ex = await retry();
    }
    return finalise(ex, await buffered(ex));
  }
  if (ex.response.status === 401) {
    // [B-STREAM]: hold a 401 body back; the first one is never emitted when a retry happens.
    const first = await held(ex);
    if (!oauthRetry(ex)) return finalise(ex, first);
    ex = await retry();
    if (requiresBuffering(plan.policy)) return finalise(ex, await buffered(ex));
    if (ex.response.status === 401) return finalise(ex, await held(ex));
  }
  trace.status = ex.response.status;
  return shape(plan, ex, forward(ex, trace, audit));
}

/**
 * How step 19 treats an expired OAuth2 token: `first` refreshes once (§7.1); `retry` (after the
 * forced refresh of §7.3) refreshes no more, so a call makes at most one token request.
 */
type AuthMode = 'first' | 'retry';

function refreshDepsOf(deps: ResolvedBrokerOptions) {
  return { upstream: deps.upstream, clock: deps.clock, timer: deps.timer, allowNonDefaultPorts: deps.options.allowNonDefaultPorts };
}

/** Step 19: load and render; an expired OAuth2 token triggers one non-forced refresh (§7.1). */
async function authorize(deps: ResolvedBrokerOptions, plan: PolicyPlan, mode: AuthMode): Promise<AuthOutput> {
  const render = async (secret: Uint8Array) => {
    try {
      return await renderAuth(plan.credential.auth, {
        credential: plan.credential,
        method: plan.method,
        path: plan.path,
        query: plan.query,
        authority: plan.target.authority,
        secret,
        crypto: deps.crypto,
        clock: deps.clock,
      });
    } finally {
      wipe(secret);
    }
  };
  // `oauth_refresh_required` is internal (§6.7): after a refresh it becomes a plain OAuth error.
  const renderRefreshed = async (secret: Uint8Array) => {
    try {
      return await render(secret);
    } catch (error) {
      if (isBrokerError(error, 'oauth_refresh_required')) throw new BrokerError({ code: 'oauth_error', message: error.message });
      throw error;
    }
  };
  const stored = await plan.state.loadSecret(plan.credential, LOAD_PURPOSE);
  if (mode === 'retry') return renderRefreshed(stored);
  try {
    return await render(stored);
  } catch (error) {
    if (!isBrokerError(error, 'oauth_refresh_required')) throw error;
    return renderRefreshed(await refreshOAuthToken(refreshDepsOf(deps), plan.state, plan.credential, false));
  }
}

function shape(plan: PolicyPlan, ex: Exchange, body: AsyncIterable<Uint8Array>): BrokerResponse {
  return {
    planned: { capability: plan.capability.id, credential: plan.credential.id, method: plan.method, url: ex.safeUrl },
    status: ex.response.status,
    // Values that are not visible ASCII become "" here already, whichever collector runs next.
    headers: filterResponseHeaders(ex.response.headers).map(([name, value]) => ({ name, value: isVisibleAscii(value) ? value : '' })),
    body,
  };
}

async function* single(body: Uint8Array): AsyncGenerator<Uint8Array> {
  if (body.length > 0) yield body;
}

/** Streams the upstream body in reads of at most 16 KiB; audits when the stream ends. */
async function* forward(ex: Exchange, trace: CallTrace, audit: Audit): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  let failure: BrokerError | undefined;
  try {
    for await (const chunk of rechunk(abortable(ex.response.body, ex.signal))) {
      bytes += chunk.length;
      yield chunk;
    }
  } catch (error) {
    failure = ex.fail(error);
    throw failure;
  } finally {
    ex.finish();
    trace.responseBytes = bytes;
    await audit(failure?.code);
  }
}
