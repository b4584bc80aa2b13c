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

/** The lock state reported by `unlock` / `lock` / `status` (Decision 18). */
export interface TransportStatus {
  locked: boolean;
}

/**
 * A transport that also reaches the daemon's control ops: the health probe and the key ops of
 * Decision 18. The in-process and socket transports implement it; `Transport` stays the minimum.
 *
 * @see ../../shared/spec/daemon.md §5.4, spec/README.md Decision 18
 */
export interface ControlTransport extends Transport {
  /** `__aivault/health`: resolves when the broker answers; no vault access, no upstream call. */
  health(options?: CallOptions): Promise<{ ok: true; capability: string }>;
  /** Hands the derived passphrase key to the daemon (sent base64-encoded). */
  unlock(key: Uint8Array, options?: CallOptions): Promise<TransportStatus>;
  lock(options?: CallOptions): Promise<TransportStatus>;
  status(options?: CallOptions): Promise<TransportStatus>;
}
