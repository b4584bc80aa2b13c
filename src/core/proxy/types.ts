/**
 * The broker as a network transport sees it (transports.md; spec/README.md Decision 15): proxy
 * tokens, envelope calls authorised by a token, passthrough routes and the WebSocket connect
 * plan. Implemented in core by `createProxyService`; served over HTTP by `src/transport-http/`.
 * The transport only translates: it never decides policy, and it takes the client address from
 * the connection (security.md §10).
 *
 * @see ../../../../shared/spec/transports.md §2-§9
 */
import type { BrokerResponse, CallContext, Envelope, EnvelopeHeader } from '../broker/types.js';

/** A minted proxy token as stored server-side (transports.md §6.1). */
export interface ProxyTokenRecord {
  /** `avp_` + 32 lower-case hex digits. */
  token: string;
  capabilities: string[];
  credential: string | null;
  expiresAtMs: number;
  /** Copied into every audit record produced with the token. */
  context: Record<string, string>;
}

/** The caller's auth class, decided by the transport from the bearer token (transports.md §2). */
export type CallerAuth = { class: 'operator' } | { class: 'proxy'; token: string } | { class: 'none' };

/** One passthrough call: `/v/{credential}/<upstream path>[?query]` (transports.md §4). */
export interface PassthroughRequest {
  method: string;
  /** The raw route path including any `?query`, exactly as received. */
  route: string;
  /**
   * The caller's headers, minus the `authorization` header that carried the proxy token (the
   * transport consumed it; any auth-class header left here is refused as caller-supplied auth).
   */
  headers: EnvelopeHeader[];
  /** The caller's body, forwarded unchanged (with the best capability's size policy); `null` when none. */
  body: AsyncIterable<Uint8Array> | null;
}

/**
 * The upstream upgrade the broker authorised for a WebSocket connect frame (transports.md §5).
 * It carries rendered auth: only the transport sees it, never the caller.
 */
export interface WebSocketPlan {
  capability: string;
  credential: string;
  /** `wss://host/path?query` with broker-rendered auth. */
  url: string;
  /** The same URL with broker-managed secrets replaced by `REDACTED`. */
  safeUrl: string;
  /** Broker-rendered auth headers for the upgrade request (never caller `sec-websocket-*`). */
  headers: Array<[string, string]>;
  /** The mTLS client identity when the credential's strategy is `mtls`. */
  clientCertificate?: { certPem: string; keyPem: string; poolKey: string };
}

/** Reads a request's envelope JSON (`ProxyService.invoke` calls it only for a valid token). */
export type EnvelopeReader = () => Promise<unknown>;

/** A passthrough answer: the broker response plus every step-7 candidate (transports.md §4 Result). */
export interface PassthroughResponse extends BrokerResponse {
  /** Ids of all matching capabilities, ascending; `planned.capability` is the best one. */
  matchedCapabilities: string[];
}

export interface ProxyService {
  /** `POST /aivault/tokens/proxy`: operator only; `input` is untrusted JSON (validated in core). */
  mintToken(auth: CallerAuth, input: unknown, ctx: CallContext): Promise<ProxyTokenRecord>;
  /**
   * `POST /aivault/proxy`: a proxy token scoped to the envelope's capability. `envelope` is
   * untrusted JSON, or a function that reads it: called only once the token is known valid, so
   * a transport never buffers a body for a caller it is about to refuse.
   */
  invoke(auth: CallerAuth, envelope: unknown | EnvelopeReader, ctx: CallContext): Promise<BrokerResponse>;
  /**
   * `/v/{credential}/...`: the ordered steps of transports.md §4, then execution. The core's
   * implementation answers a {@link PassthroughResponse} (with `matchedCapabilities`).
   */
  passthrough(auth: CallerAuth, request: PassthroughRequest, ctx: CallContext): Promise<BrokerResponse>;
  /** `GET /aivault/ws`: the connect frame (untrusted JSON) to the authorised upstream upgrade. */
  planWebSocket(auth: CallerAuth, frame: unknown, ctx: CallContext): Promise<WebSocketPlan>;
}

/** Re-exported for transports that build envelopes. */
export type { Envelope };
