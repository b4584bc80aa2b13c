/**
 * The application-facing client: typed calls over any `Transport` (in-process, unix socket, HTTP).
 * It never knows which transport it has (STYLE rule 4).
 *
 * @example
 * const client = createClient({ transport: createSocketTransport({ path }) });
 * const { response } = await client.invoke({ capability: 'openai/models', request: { method: 'GET', path: '/v1/models' } });
 *
 * @see ../../shared/spec/daemon.md §5, broker.md §10.4
 */
import { BrokerError } from './broker-error.js';
import type { BrokerResult, Envelope, PlannedSummary } from './broker/types.js';
import { base64DecodeStrict } from './encoding.js';
import type { CallOptions, InvokeRequest, Transport } from './transport.js';

export interface ClientOptions {
  transport: Transport;
}

/** Per-call context; everything optional. */
export interface ClientCallOptions extends CallOptions {
  /** Self-declared caller address. @default '127.0.0.1' */
  clientIp?: string;
  /** Upstream timeout for the whole exchange (broker.md §10.3). @default broker default (30 000) */
  timeoutMs?: number | null;
  workspaceId?: string | null;
  groupId?: string | null;
}

export interface JsonResult<T> {
  planned: PlannedSummary;
  status: number;
  json: T;
}

export interface Client {
  /** The buffered result object (`execute_envelope`). Non-2xx statuses are results, not errors. */
  invoke(envelope: Envelope, options?: ClientCallOptions): Promise<BrokerResult>;
  /** The decoded response body bytes of `invoke`. */
  invokeBytes(envelope: Envelope, options?: ClientCallOptions): Promise<{ status: number; body: Uint8Array }>;
  /** `invoke`, then the body parsed as JSON; a non-JSON body throws `upstream_error`. */
  invokeJson<T = unknown>(envelope: Envelope, options?: ClientCallOptions): Promise<JsonResult<T>>;
  /** Body bytes as they arrive (`execute_envelope_stream`); an error frame is thrown. */
  stream(envelope: Envelope, options?: ClientCallOptions): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

export function createClient(options: ClientOptions): Client {
  const { transport } = options;
  const invoke = (envelope: Envelope, call?: ClientCallOptions) => transport.invoke(toRequest(envelope, call), callOptions(call));
  return {
    invoke,
    invokeBytes: async (envelope, call) => {
      const result = await invoke(envelope, call);
      return { status: result.response.status, body: decodeBody(result) };
    },
    invokeJson: async <T>(envelope: Envelope, call?: ClientCallOptions): Promise<JsonResult<T>> => {
      const result = await invoke(envelope, call);
      let json: T;
      try {
        json = JSON.parse(result.response.bodyUtf8 ?? '') as T;
      } catch {
        throw new BrokerError({ code: 'upstream_error', message: 'upstream response body is not valid JSON' });
      }
      return { planned: result.planned, status: result.response.status, json };
    },
    stream: (envelope, call) => transport.stream(toRequest(envelope, call), callOptions(call)),
    close: () => transport.close(),
  };
}

// --- internal ---

function toRequest(envelope: Envelope, call: ClientCallOptions | undefined): InvokeRequest {
  return {
    envelope,
    clientIp: call?.clientIp ?? '127.0.0.1',
    timeoutMs: call?.timeoutMs ?? null,
    workspaceId: call?.workspaceId ?? null,
    groupId: call?.groupId ?? null,
  };
}

function callOptions(call: ClientCallOptions | undefined): CallOptions | undefined {
  return call?.signal === undefined ? undefined : { signal: call.signal };
}

function decodeBody(result: BrokerResult): Uint8Array {
  const body = base64DecodeStrict(result.response.bodyB64);
  if (body === null) throw new BrokerError({ code: 'daemon_error', message: 'invalid base64 in result body' });
  return body;
}
