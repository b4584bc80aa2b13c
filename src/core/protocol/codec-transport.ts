/**
 * A `ControlTransport` over any pipe that moves request values to the daemon side and back.
 * The in-process, one-shot socket and multiplexed socket transports are all this plus a pipe,
 * so request encoding and reply decoding are one code path.
 *
 * @see ../../../shared/spec/daemon.md §5
 */
import type { CallOptions, ControlTransport, InvokeRequest } from '../transport.js';
import { controlRequestValue, executeRequestValue, healthRequest, type ControlWireRequest } from './request-codec.js';
import { decodeBrokerResult, decodeDaemonStatus, decodeHealth } from './reply-codec.js';

/** Moves one request to the daemon side. Implementations throw the error classes of daemon.md §5.7. */
export interface WirePipe {
  /** Names the far end in protocol errors (the socket path, or `inproc`). */
  readonly name: string;
  /** One-shot request value in, the reply's `value` out (`ok:false` thrown as the remote error). */
  call(request: Record<string, unknown>, options?: CallOptions): Promise<unknown>;
  /** Stream request value in, body bytes out; an `error` frame is thrown as the remote error. */
  stream(request: Record<string, unknown>, options?: CallOptions): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

export function createCodecTransport(pipe: WirePipe): ControlTransport {
  const context = { socket: pipe.name };
  const control = async (request: ControlWireRequest, options?: CallOptions) =>
    decodeDaemonStatus(await pipe.call(controlRequestValue(request), options), context);
  return {
    invoke: async (request: InvokeRequest, options?: CallOptions) =>
      decodeBrokerResult(await pipe.call(executeRequestValue('execute_envelope', request), options), context),
    stream: (request: InvokeRequest, options?: CallOptions) =>
      pipe.stream(executeRequestValue('execute_envelope_stream', request), options),
    health: async (options?: CallOptions) =>
      decodeHealth(await pipe.call(executeRequestValue('execute_envelope', healthRequest()), options), context),
    unlock: (key, options) => control({ op: 'unlock', key }, options),
    lock: (options) => control({ op: 'lock' }, options),
    status: (options) => control({ op: 'status' }, options),
    close: () => pipe.close(),
  };
}
