/**
 * The client-side view of a broker, whatever carries the call: in-process, unix socket or HTTP.
 * `createClient({ transport })` never knows which one it has.
 *
 * @see ../../shared/spec/daemon.md §5
 */
import type { BrokerResult, Envelope } from './broker/types.js';

export interface InvokeRequest {
  envelope: Envelope;
  /** Self-declared caller address (`client_ip` on the wire). */
  clientIp: string;
  timeoutMs?: number | null;
  workspaceId?: string | null;
  groupId?: string | null;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Transport {
  /** `execute_envelope`: the buffered result (broker.md §10.4). */
  invoke(request: InvokeRequest, options?: CallOptions): Promise<BrokerResult>;
  /** `execute_envelope_stream`: body bytes as they arrive; throws on an error frame. */
  stream(request: InvokeRequest, options?: CallOptions): AsyncIterable<Uint8Array>;
  /** Releases pooled connections, if any. */
  close(): Promise<void>;
}
