/**
 * Shapes shared by the broker pipeline, the runtime state it reads, and the transports.
 *
 * @see ../../../shared/spec/broker.md §3, §4, §8, §10
 */
import type { AuthStrategy, Capability, CapabilityPolicy } from '../registry/types.js';

export interface EnvelopeHeader {
  name: string;
  value: string;
}

export interface EnvelopeRequest {
  method: string;
  path: string;
  headers?: EnvelopeHeader[];
  body?: string | null;
  multipart?: Record<string, string> | null;
  multipartFiles?: Array<{ field: string; path: string }>;
  bodyFilePath?: string | null;
  url?: string | null;
}

/** The proxy envelope (broker.md §3.1). `null` optionals mean absent. */
export interface Envelope {
  capability: string;
  credential?: string | null;
  request: EnvelopeRequest;
}

/** Where a call comes from; everything here is untrusted except `transport`. */
export interface CallContext {
  /** Self-declared on the socket; taken from the connection on HTTP. */
  clientIp: string;
  workspaceId?: string | null;
  groupId?: string | null;
  /** Whole upstream exchange, connect to last byte; values below 1 become 1. Default 30 000. */
  timeoutMs?: number | null;
  transport: 'inproc' | 'socket' | 'http';
  signal?: AbortSignal;
}

/** What the broker is asked to do: one entry point for buffered and streamed calls. */
export interface BrokerRequest {
  envelope: Envelope;
  /** Streamed calls hold back a 401 body and skip buffering unless response policy needs it. */
  stream: boolean;
}

export interface PlannedSummary {
  capability: string;
  credential: string;
  method: string;
  /** The safe URL: broker-managed query/path secrets replaced by `REDACTED` (broker.md §8.2). */
  url: string;
}

export interface ResponseHeader {
  name: string;
  value: string;
}

/** The broker's answer: status and filtered headers now, body bytes as they arrive. */
export interface BrokerResponse {
  planned: PlannedSummary;
  status: number;
  headers: ResponseHeader[];
  body: AsyncIterable<Uint8Array>;
}

/** The buffered result object (broker.md §10.4), the `value` of an `execute_envelope` reply. */
export interface BrokerResult {
  planned: PlannedSummary;
  response: {
    status: number;
    headers: ResponseHeader[];
    bodyUtf8: string | null;
    bodyB64: string;
  };
}

/** Scope precedence rank used by credential selection (Decision 7): group > workspace > global. */
export type ScopeRank = 0 | 1 | 2;

/**
 * A credential ready for planning: canonicalised against the registry, eligible for the call's
 * context, secret not yet decrypted. `loadError` is set when loading failed (pin violation, missing
 * secret, access refused): it is skipped unless explicitly requested, then that error is returned.
 */
export interface RuntimeCredential {
  id: string;
  provider: string;
  auth: AuthStrategy;
  hosts: string[];
  /** Empty = all capabilities of its provider. */
  capabilities: string[];
  priority: number;
  upstreamPathPrefix?: string;
  workspaceId: string | null;
  groupId: string | null;
  secretRef: string;
  /** Registry-derived (`registry`) or from `broker.json` (`stored`). */
  source: 'registry' | 'stored';
  scopeRank: ScopeRank;
  loadError?: Error;
}

/**
 * The per-invocation view of persisted state that the broker plans against. Implemented by the
 * runtime over the vault, the compiled-in registry and `broker.json`; tests may fake it.
 */
export interface RuntimeState {
  findCapability(id: string): Capability | undefined;
  policyFor(capabilityId: string): CapabilityPolicy | undefined;
  /** Credentials eligible for the context (broker.md §4.5), already canonicalised. */
  credentials(): RuntimeCredential[];
  /** Decrypts the credential's secret for this context (scope rule, `secret.used` audit). */
  loadSecret(credential: RuntimeCredential, purpose: string): Promise<Uint8Array>;
  /** OAuth write-back: rotates the credential's secret to `value` (vault.md §14 step 7). */
  writeSecret(credential: RuntimeCredential, value: Uint8Array): Promise<void>;
}

/** The broker's one neutral entry point (STYLE.md rule 3). Throws `BrokerError`; transports catch. */
export interface Broker {
  handle(request: BrokerRequest, ctx: CallContext): Promise<BrokerResponse>;
}
