/**
 * The ordered planning pipeline [B-PIPE] steps 2-18 for envelope mode. Step 1 (the proxy token)
 * is the proxy service's; steps 5 and the token pin of §4.3 run when the call carries a token's
 * scope (the CLI/daemon path has none). The first failing step decides
 * the error, so the order below is the contract. Auth rendering (step 19) follows in `authorize`.
 *
 * @see ../../../shared/spec/broker.md §4.1
 */
import { BrokerError, invalidRequest, policyViolation } from '../broker-error.js';
import type { Capability, CapabilityPolicy } from '../registry/types.js';
import { auditPath, type CallTrace } from './audit-event.js';
import { managedHeaderNames, managedQueryNames } from './auth/strategy.js';
import { countBodyModes, estimateBodySize, resolveBodyMode, type BodyMode } from './body.js';
import { selectCredential } from './credential-select.js';
import { sanitiseHeaders, type Header } from './headers.js';
import type { ResolvedBrokerOptions } from './options.js';
import { checkRequestPath, joinPrefix } from './path-rules.js';
import { decodeQuery, type QueryPair } from './query.js';
import { parseIPv4, parseIPv6 } from './ssrf.js';
import { checkTarget, effectiveHost, type Target } from './target-rules.js';
import type { CallContext, Envelope, RuntimeCredential, RuntimeState } from './types.js';

/** A policy-checked request: no secret has been read yet. */
export interface PolicyPlan {
  state: RuntimeState;
  capability: Capability;
  credential: RuntimeCredential;
  policy: CapabilityPolicy | undefined;
  method: string;
  /** The caller's path part, as checked against policy. */
  logicalPath: string;
  /** After `upstreamPathPrefix`. */
  path: string;
  query: QueryPair[];
  headers: Header[];
  body: BodyMode;
  target: Target;
}

type PlanDeps = Pick<ResolvedBrokerOptions, 'state' | 'rateLimiter' | 'fs' | 'cwd' | 'options'>;

/** What a validated proxy token allows (transports.md §6.2). */
export interface TokenScope {
  /** Capability ids the token may invoke, matched exactly. */
  capabilities: readonly string[];
  /** The pinned credential id, or `null`. */
  credential: string | null;
}

export interface PlanOptions {
  /**
   * The OAuth 401 retry's re-plan (broker.md §7.3): every step runs again except the rate limit,
   * which the call already counted (one invocation takes one unit of quota).
   * @default false
   */
  retry?: boolean;
  /**
   * The proxy token's scope: step 5 requires the capability in its list, and its credential pin
   * resolves the credential when the envelope names none (broker.md §4.3 step 2).
   * @default undefined (no token: the CLI/daemon path)
   */
  token?: TokenScope;
}

/**
 * Runs steps 2-18. `trace` is filled as facts become known so refused calls are audited too.
 *
 * @example const plan = await planEnvelope(deps, envelope, ctx, trace)
 */
export async function planEnvelope(
  deps: PlanDeps,
  envelope: Envelope,
  ctx: CallContext,
  trace: CallTrace,
  options: PlanOptions = {},
): Promise<PolicyPlan> {
  const request = envelope.request;
  const capabilityId = envelope.capability.trim();
  const method = request.method.trim().toUpperCase();
  const path = request.path.trim();
  if (capabilityId !== '') trace.capability = capabilityId;
  if (method !== '') trace.method = method;
  if (path !== '') trace.path = auditPath(path);

  // 2. loopback clients only
  checkClient(deps.options, ctx);
  // 3. envelope checks
  if (capabilityId === '') throw invalidRequest('capability is required');
  if (method === '') throw invalidRequest('request.method is required');
  if (path === '') throw invalidRequest('request.path is required');
  if (request.url !== undefined && request.url !== null) throw policyViolation('request.url is not allowed');
  if (countBodyModes(request) > 1) throw policyViolation('only one request body mode is allowed');

  // §4.3: an explicit credential wins over the token's pin; both get the explicit checks.
  const explicit = envelope.credential?.trim() ?? '';
  const requested = explicit !== '' ? explicit : (options.token?.credential?.trim() ?? '');
  const state = await deps.state(ctx, requested === '' ? null : requested);

  // 4. capability lookup
  const capability = state.findCapability(capabilityId);
  if (capability === undefined) throw new BrokerError({ code: 'capability_not_found', message: 'capability not found' });
  trace.provider = capability.provider;
  // 5. token scope
  if (options.token !== undefined && !options.token.capabilities.includes(capability.id)) {
    throw policyViolation('token is not scoped to this capability');
  }
  // 6. rate limit (before credential resolution: later failures still consume quota)
  const policy = state.policyFor(capability.id);
  if (options.retry !== true) await deps.rateLimiter.take(capability.id, policy?.rateLimitPerMinute ?? null);
  // 7. credential resolution
  const credential = selectCredential(state.credentials(), capability, requested === '' ? null : requested);
  trace.credential = credential.id;
  // 8. path shape, traversal, query decode
  const { pathPart, rawQuery } = checkRequestPath(path);
  const query = decodeQuery(rawQuery);
  // 9. method
  if (!capability.allow.methods.some((m) => m.trim().toUpperCase() === method)) throw policyViolation('method not allowed by capability');
  // 10. path prefix (plain, case-sensitive; blank or relative entries never match)
  if (!capability.allow.pathPrefixes.some((p) => p.startsWith('/') && pathPart.startsWith(p))) {
    throw policyViolation('path not allowed by capability');
  }
  // 11-12. effective host and target rules
  const target = checkTarget(effectiveHost(credential.hosts, capability.allow.hosts), 'https', deps.options);
  trace.host = target.authority;
  // 13. broker-managed query names
  const managedQuery = managedQueryNames(credential.auth);
  if (query.some(([key]) => managedQuery.names.includes(key))) throw policyViolation(managedQuery.message);
  // 14. body mode
  const body = resolveBodyMode(request);
  // 15. request size
  const max = policy?.maxRequestBodyBytes;
  if (max !== null && max !== undefined && (await estimateBodySize(body, deps.fs, deps.cwd)) > max) {
    throw policyViolation('request body exceeds capability size limit');
  }
  // 16. header sanitisation; 17. multipart owns the content type
  let headers = sanitiseHeaders(request.headers ?? [], managedHeaderNames(credential.auth));
  if (body.kind === 'multipart') headers = headers.filter(([name]) => name !== 'content-type');
  // 18. upstreamPathPrefix
  const prefix = credential.upstreamPathPrefix?.trim().replace(/\/+$/, '') ?? '';
  const upstreamPath = prefix === '' ? pathPart : joinPrefix(prefix, pathPart);

  return { state, capability, credential, policy, method, logicalPath: pathPart, path: upstreamPath, query, headers, body, target };
}

/** Step 2: the client address must be loopback unless remote clients are enabled (transports.md §8). */
export function checkClient(options: { allowRemoteClients: boolean }, ctx: CallContext): void {
  if (!options.allowRemoteClients && !isLoopback(ctx.clientIp)) throw policyViolation('non-loopback clients are rejected by default');
}

/** Loopback for the client check (security.md §10): 127.0.0.0/8 and `::1`; IPv4-mapped is not. */
export function isLoopback(clientIp: string): boolean {
  const text = clientIp.trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIPv4(text);
  if (v4 !== null) return v4[0] === 127;
  const v6 = parseIPv6(text.toLowerCase());
  return v6 !== null && v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
}
