/**
 * WebSocket connect planning [T-WS]: the strict connect frame, `targetUrl` refused before
 * anything else, the envelope pipeline for a GET with no credential, headers or body, then the
 * target rules again for `wss`. The plan carries rendered auth: it goes to the transport (which
 * opens the upstream upgrade), never to the caller.
 *
 * @see ../../../../shared/spec/transports.md §5
 */
import { create, nullable, object, optional, string, StructError } from 'superstruct';
import { invalidRequest, policyViolation } from '../broker-error.js';
import type { AuthOutput } from '../broker/auth/types.js';
import type { PolicyPlan } from '../broker/plan.js';
import { buildSafeUrl, buildUpstreamUrl } from '../broker/safe-url.js';
import { checkTarget } from '../broker/target-rules.js';
import type { Envelope } from '../broker/types.js';
import type { ResolvedBrokerPolicyOptions } from '../broker/options.js';
import type { WebSocketPlan } from './types.js';
import { describeStructFailure } from '../struct-failure.js';

const FrameShape = object({
  capability: string(),
  path: string(),
  targetUrl: optional(nullable(string())),
});

export const INVALID_FRAME_PREFIX = 'invalid connect frame JSON: ';

/** Step 1: a `targetUrl` that is present and not `null` is refused, whatever else the frame holds. */
export function refuseTargetUrl(frame: unknown): void {
  if (typeof frame === 'object' && frame !== null && !Array.isArray(frame)) {
    const target = (frame as Record<string, unknown>).targetUrl;
    if (target !== undefined && target !== null) throw policyViolation('targetUrl is not allowed');
  }
}

/**
 * The frame as the GET envelope of step 2 (schema failures are `invalid_request`).
 *
 * @example connectEnvelope({ capability: 'acme/realtime', path: '/v1/listen' })
 */
export function connectEnvelope(frame: unknown): Envelope {
  let value: { capability: string; path: string };
  try {
    value = create(frame, FrameShape);
  } catch (error) {
    const detail = error instanceof StructError ? describeStructFailure(error, { root: 'frame' }) : 'malformed frame';
    throw invalidRequest(INVALID_FRAME_PREFIX + detail, error instanceof StructError ? { path: error.path } : undefined);
  }
  return { capability: value.capability, request: { method: 'GET', path: value.path } };
}

/** Step 3: the planned target as `wss`, with its target rules (default port 443, deny list). */
export function asWebSocketPlan(plan: PolicyPlan, options: ResolvedBrokerPolicyOptions): PolicyPlan {
  return { ...plan, target: checkTarget(plan.target.authority, 'wss', options) };
}

/** The upgrade the transport opens: URL and headers with the broker's auth (signers over an empty body). */
export async function webSocketPlanOf(plan: PolicyPlan, auth: AuthOutput): Promise<WebSocketPlan> {
  const { scheme, authority } = plan.target;
  const built = buildUpstreamUrl(scheme, authority, auth.path, auth.query);
  const headers: Array<[string, string]> = auth.headers.map(([name, value]) => [name, value]);
  if (auth.sign !== undefined) {
    const wire = { method: plan.method, authority, path: built.wirePath, query: auth.query, headers, body: new Uint8Array() };
    headers.push(...(await auth.sign(wire)).map(([name, value]): [string, string] => [name, value]));
  }
  return {
    capability: plan.capability.id,
    credential: plan.credential.id,
    url: built.href,
    safeUrl: buildSafeUrl(scheme, authority, auth.safePath, auth.safeQuery),
    headers,
    ...(auth.clientCertificate === undefined ? {} : { clientCertificate: auth.clientCertificate }),
  };
}
