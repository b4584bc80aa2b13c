/**
 * The proxy service's operations over one broker core (transports.md §2-§6, §8, §10): operator
 * auth for minting, a proxy token for every proxy operation (step 1, before the client check of
 * step 2), the token's scope and pin inside the shared pipeline, and the token's context as the
 * call's workspace, group and timeout (so it reaches credential eligibility and every audit
 * record). Assembled with the socket service by `createBrokerServices`.
 *
 * @see ../../../../shared/spec/transports.md, spec/README.md Decision 15
 */
import { BrokerError, policyViolation } from '../broker-error.js';
import type { BrokerCore } from '../broker/create-broker.js';
import { supports } from '../broker/credential-select.js';
import { parseEnvelope } from '../broker/envelope-schema.js';
import { checkClient, planEnvelope, type TokenScope } from '../broker/plan.js';
import type { CallContext, Envelope } from '../broker/types.js';
import { passthroughPlanner, type PassthroughPlan } from './passthrough.js';
import { contextTimeoutMs, type ProxyTokenStore } from './token-store.js';
import type { MintRequest } from './mint-schema.js';
import type { CallerAuth, PassthroughResponse, ProxyService, ProxyTokenRecord } from './types.js';
import { asWebSocketPlan, connectEnvelope, refuseTargetUrl, webSocketPlanOf } from './websocket.js';

export interface ProxyServiceDeps {
  /** The pipeline, built with the proxy's own client rule (`allowRemoteClients`). */
  core: BrokerCore;
  tokens: ProxyTokenStore;
  /** Ids of `broker.json`'s capability table (passthrough candidates). */
  tableCapabilityIds(): Promise<readonly string[]>;
  /** Runs an operation with the vault loaded; the service's unlock TTL counts it as a use. */
  guard<T>(operation: () => Promise<T>): Promise<T>;
}

/** @internal assembled by `createBrokerServices` */
export function buildProxyService(deps: ProxyServiceDeps): ProxyService {
  const { core, tokens, guard } = deps;
  /** Step 1; a refusal is audited like any refused call. */
  const authorise = async (auth: CallerAuth, ctx: CallContext): Promise<ProxyTokenRecord> => {
    try {
      return tokens.validate(auth);
    } catch (error) {
      return core.refuse(error, ctx);
    }
  };
  return {
    async mintToken(auth, input, ctx) {
      if (auth.class !== 'operator') throw new BrokerError({ code: 'operator_auth_required', message: 'operator token required' });
      return guard(() => tokens.mint(input, (request) => checkMint(core, request, ctx)));
    },

    async invoke(auth, source, transportCtx) {
      const record = await authorise(auth, transportCtx);
      const ctx = callContext(transportCtx, record);
      // Only a caller holding a live token gets its body read (a transport passes a reader).
      const input: unknown = typeof source === 'function' ? await (source as () => Promise<unknown>)() : source;
      let envelope: Envelope | undefined;
      return guard(() =>
        core.run(
          async (trace, retry) => {
            checkClient(core.deps.options, ctx);
            envelope ??= parseEnvelope(input);
            return planEnvelope(core.deps, envelope, ctx, trace, { retry, token: scopeOf(record) });
          },
          true,
          ctx,
        ),
      );
    },

    async passthrough(auth, request, transportCtx) {
      const record = await authorise(auth, transportCtx);
      const ctx = callContext(transportCtx, record);
      const plan = passthroughPlanner({ ...core.deps, tableCapabilityIds: deps.tableCapabilityIds }, { ...request, token: scopeOf(record) }, ctx);
      let matched: string[] = [];
      const response = await guard(() =>
        core.run(
          async (trace, retry) => {
            checkClient(core.deps.options, ctx);
            const planned: PassthroughPlan = await plan(trace, retry);
            matched = planned.matchedCapabilities;
            return planned;
          },
          true,
          ctx,
        ),
      );
      const out: PassthroughResponse = { ...response, matchedCapabilities: matched };
      return out;
    },

    async planWebSocket(auth, frame, transportCtx) {
      try {
        refuseTargetUrl(frame);
      } catch (error) {
        return core.refuse(error, transportCtx);
      }
      const record = await authorise(auth, transportCtx);
      const ctx = callContext(transportCtx, record);
      return guard(async () => {
        const { plan, auth: rendered } = await core.prepare(async (trace, retry) => {
          checkClient(core.deps.options, ctx);
          const planned = await planEnvelope(core.deps, connectEnvelope(frame), ctx, trace, { retry, token: scopeOf(record) });
          return asWebSocketPlan(planned, core.deps.options);
        }, ctx);
        return webSocketPlanOf(plan, rendered);
      });
    },
  };
}

// --- internal ---

function scopeOf(record: ProxyTokenRecord): TokenScope {
  return { capabilities: record.capabilities, credential: record.credential };
}

/**
 * The call's context from the token (spec/README.md "HTTP transport"): its workspace and group
 * decide which credentials exist for the call, and its timeout bounds the exchange. The address
 * and transport stay the connection's.
 */
function callContext(ctx: CallContext, record: ProxyTokenRecord): CallContext {
  const timeoutMs = contextTimeoutMs(record.context);
  return {
    ...ctx,
    workspaceId: record.context.workspaceId ?? null,
    groupId: record.context.groupId ?? null,
    timeoutMs: timeoutMs ?? ctx.timeoutMs ?? null,
  };
}

/** §6.1 rule 3, in the context the token will be used in. */
async function checkMint(core: BrokerCore, request: MintRequest, ctx: CallContext): Promise<void> {
  const id = request.credential;
  if (id === null) return;
  const state = await core.deps.state({ ...ctx, workspaceId: request.context.workspaceId ?? null, groupId: request.context.groupId ?? null }, id);
  const credential = state.credentials().find((c) => c.id === id);
  if (credential === undefined) throw new BrokerError({ code: 'credential_not_found', message: 'credential not found' });
  for (const capabilityId of request.capabilities) {
    const capability = state.findCapability(capabilityId);
    if (capability === undefined) throw new BrokerError({ code: 'capability_not_found', message: 'capability not found' });
    if (capability.provider !== credential.provider) throw policyViolation('capability provider does not match credential provider');
    if (!supports(credential, capability)) throw policyViolation('credential is not scoped to this capability');
  }
}
