/**
 * The daemon side of one request, shared by the socket server and the in-process transport:
 * a decoded `WireRequest` in, a reply or a body stream out. It never rejects (STYLE rule 4).
 *
 * @see ../../../shared/spec/daemon.md §5.3-§5.6
 */
import type { CallContext } from '../broker/types.js';
import { isIpLiteral } from './client-ip.js';
import type { ExecuteWireRequest, WireRequest } from './request-codec.js';
import { HEALTH_CAPABILITY } from './request-codec.js';
import { toResult } from '../broker/to-result.js';
import { errorReply, okReply, type WireReply } from './reply-codec.js';
import type { BrokerService } from './service.js';
import { BrokerError } from '../broker-error.js';

/** `error` is the normalised failure behind an `ok:false` reply (in-process callers keep its code). */
export type Served =
  | { kind: 'reply'; reply: WireReply; error?: BrokerError }
  | { kind: 'stream'; body: AsyncIterable<Uint8Array> };

export interface ServeOptions {
  transport: CallContext['transport'];
  /** Aborted when the caller goes away; passed to the broker as `ctx.signal`. */
  signal?: AbortSignal;
}

/** Runs one non-multiplex request against the service. Stream failures surface from `body`. */
export async function serveRequest(
  service: BrokerService,
  request: Exclude<WireRequest, { op: 'multiplex' }>,
  options: ServeOptions,
): Promise<Served> {
  try {
    switch (request.op) {
      case 'execute_envelope':
        return { kind: 'reply', reply: await serveExecute(service, request, options) };
      case 'execute_envelope_stream':
        return { kind: 'stream', body: serveStream(service, request, options) };
      case 'unlock':
        return { kind: 'reply', reply: okReply(await service.unlock(request.key)) };
      case 'lock':
        return { kind: 'reply', reply: okReply(await service.lock()) };
      case 'status':
        return { kind: 'reply', reply: okReply(await service.status()) };
    }
  } catch (error) {
    const normalised = BrokerError.from(error);
    return { kind: 'reply', reply: errorReply(normalised), error: normalised };
  }
}

/** "invalid clientIp": the self-declared address must at least be an IP literal. */
export const invalidClientIp = (): BrokerError => new BrokerError({ code: 'daemon_error', message: 'invalid clientIp' });

// --- internal ---

async function serveExecute(service: BrokerService, request: ExecuteWireRequest, options: ServeOptions): Promise<WireReply> {
  if (request.envelope.capability === HEALTH_CAPABILITY) return okReply({ ok: true, capability: HEALTH_CAPABILITY });
  const response = await service.handle({ envelope: request.envelope, stream: false }, context(request, options));
  return okReply(await toResult(response));
}

async function* serveStream(
  service: BrokerService,
  request: ExecuteWireRequest,
  options: ServeOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const response = await service.handle({ envelope: request.envelope, stream: true }, context(request, options));
  yield* response.body;
}

function context(request: ExecuteWireRequest, options: ServeOptions): CallContext {
  if (!isIpLiteral(request.clientIp)) throw invalidClientIp();
  const ctx: CallContext = {
    clientIp: request.clientIp,
    workspaceId: request.workspaceId,
    groupId: request.groupId,
    timeoutMs: request.timeoutMs,
    transport: options.transport,
  };
  if (options.signal !== undefined) ctx.signal = options.signal;
  return ctx;
}
