/**
 * Passthrough planning [T-PASS], steps 3-12 in the contract's order (the proxy token, step 1,
 * and the client check, step 2, run first in the proxy service). The upstream host always comes
 * from the matched capability and the route's credential, never from the caller. Unlike the
 * original, the caller's body is forwarded (under the best capability's request-size policy,
 * note a) and the credential's own capability scope filters the candidates (note b's SHOULD).
 *
 * @see ../../../../shared/spec/transports.md §4
 */
import { BrokerError, policyViolation } from '../broker-error.js';
import { auditPath, type CallTrace } from '../broker/audit-event.js';
import { managedHeaderNames, managedQueryNames } from '../broker/auth/strategy.js';
import type { BodyMode } from '../broker/body.js';
import { supports } from '../broker/credential-select.js';
import { sanitiseHeaders } from '../broker/headers.js';
import type { ResolvedBrokerOptions } from '../broker/options.js';
import { checkRequestPath, joinPrefix } from '../broker/path-rules.js';
import type { PolicyPlan, TokenScope } from '../broker/plan.js';
import { decodeQuery } from '../broker/query.js';
import { readLimited } from '../broker/response.js';
import { checkTarget, effectiveHost } from '../broker/target-rules.js';
import type { CallContext, EnvelopeHeader, RuntimeCredential } from '../broker/types.js';
import type { Capability } from '../registry/types.js';
import { parseRoute } from './passthrough-route.js';

export interface PassthroughDeps extends Pick<ResolvedBrokerOptions, 'state' | 'rateLimiter' | 'options'> {
  /** Ids of the broker's capability table (`broker.json`): only activated capabilities are candidates (note c). */
  tableCapabilityIds(): Promise<readonly string[]>;
}

export interface PassthroughInput {
  token: TokenScope;
  method: string;
  route: string;
  headers: readonly EnvelopeHeader[];
  body: AsyncIterable<Uint8Array> | null;
}

/** A passthrough plan: the policy plan of the best capability plus every step-7 candidate. */
export interface PassthroughPlan extends PolicyPlan {
  /** Ids of all candidates, ascending. */
  matchedCapabilities: string[];
}

export const NO_MATCH_MESSAGE = 'no passthrough capability matched method/path';
export const REQUEST_TOO_LARGE_MESSAGE = 'request body exceeds capability size limit';

/**
 * A planner for one passthrough call. The caller's body is read once, on the first plan (the
 * OAuth re-plan of broker.md §7.3 reuses the bytes), and only after every policy step passed.
 *
 * @example const plan = await planner(trace, false)
 */
export function passthroughPlanner(deps: PassthroughDeps, input: PassthroughInput, ctx: CallContext) {
  let body: Uint8Array | null | undefined;
  return async (trace: CallTrace, retry: boolean): Promise<PassthroughPlan> => {
    const plan = await planPassthrough(deps, input, ctx, trace, retry);
    if (body === undefined) {
      const max = plan.policy?.maxRequestBodyBytes ?? null;
      body = input.body === null ? null : await readLimited(input.body, max ?? Number.POSITIVE_INFINITY, REQUEST_TOO_LARGE_MESSAGE, ctx.signal, 'policy_violation');
    }
    const mode: BodyMode = body === null || body.length === 0 ? { kind: 'empty' } : { kind: 'bytes', bytes: body };
    return { ...plan, body: mode };
  };
}

// --- internal ---

async function planPassthrough(deps: PassthroughDeps, input: PassthroughInput, ctx: CallContext, trace: CallTrace, retry: boolean): Promise<PassthroughPlan> {
  // 3. route
  const route = parseRoute(input.route);
  const state = await deps.state(ctx, route.credential);
  // 4. the route's credential, exactly
  const credential = state.credentials().find((c) => c.id === route.credential);
  if (credential === undefined) throw new BrokerError({ code: 'credential_not_found', message: 'credential not found' });
  if (credential.loadError !== undefined) throw BrokerError.from(credential.loadError);
  trace.credential = credential.id;
  trace.provider = credential.provider;
  // 5. the token's pin
  if (input.token.credential !== null && input.token.credential !== credential.id) {
    throw policyViolation('token credential scope does not allow requested credential');
  }
  // 6. method and path (traversal, decode-once)
  const method = input.method.trim().toUpperCase();
  if (method !== '') trace.method = method;
  trace.path = auditPath(route.upstreamPath);
  const { pathPart, rawQuery } = checkRequestPath(route.upstreamPath);
  const query = decodeQuery(rawQuery);
  // 7-8. candidates and the best one
  const ids = new Set((await deps.tableCapabilityIds()).map((id) => id.trim()));
  const candidates: Array<{ capability: Capability; prefix: number }> = [];
  for (const id of ids) {
    const capability = state.findCapability(id);
    if (capability === undefined) continue;
    const prefix = matchLength(capability, credential, input.token, method, pathPart);
    if (prefix >= 0) candidates.push({ capability, prefix });
  }
  candidates.sort((a, b) => b.prefix - a.prefix || compareIds(a.capability.id, b.capability.id));
  const best = candidates[0]?.capability;
  if (best === undefined) throw new BrokerError({ code: 'capability_not_found', message: NO_MATCH_MESSAGE });
  trace.capability = best.id;
  // 9. rate limit
  const policy = state.policyFor(best.id);
  if (!retry) await deps.rateLimiter.take(best.id, policy?.rateLimitPerMinute ?? null);
  // 10. effective host and target rules
  const target = checkTarget(effectiveHost(credential.hosts, best.allow.hosts), 'https', deps.options);
  trace.host = target.authority;
  // 11. caller headers
  const headers = sanitiseHeaders(input.headers, managedHeaderNames(credential.auth));
  // 12. upstreamPathPrefix; the caller's pairs named like query auth are dropped (the renderer appends the broker's)
  const managed = managedQueryNames(credential.auth).names;
  const prefix = credential.upstreamPathPrefix?.trim().replace(/\/+$/, '') ?? '';
  return {
    state,
    capability: best,
    credential,
    policy,
    method,
    logicalPath: pathPart,
    path: prefix === '' ? pathPart : joinPrefix(prefix, pathPart),
    query: query.filter(([key]) => !managed.includes(key)),
    headers,
    body: { kind: 'empty' },
    target,
    matchedCapabilities: candidates.map((c) => c.capability.id).sort(compareIds),
  };
}

/** Step 7's filter: the longest matching prefix's length, or -1 when `capability` is no candidate. */
function matchLength(capability: Capability, credential: RuntimeCredential, token: TokenScope, method: string, path: string): number {
  if (capability.provider !== credential.provider) return -1;
  if (!token.capabilities.includes(capability.id)) return -1;
  if (!supports(credential, capability)) return -1;
  if (!capability.allow.methods.some((m) => m.trim().toUpperCase() === method)) return -1;
  let best = -1;
  for (const p of capability.allow.pathPrefixes) if (p.startsWith('/') && path.startsWith(p) && p.length > best) best = p.length;
  return best;
}

/** Ascending by code unit, as the contract's "ascending id" (locale-independent). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
