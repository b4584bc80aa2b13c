// An injected UpstreamPort that records every request (url, method, headers, body bytes) and
// answers from a handler. No port is opened; nothing touches the network.
import type { UpstreamPort, UpstreamRequest, UpstreamResponse } from '../../src/core/ports.js';

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body: Uint8Array | null;
  clientCertificate?: UpstreamRequest['clientCertificate'];
  signal?: AbortSignal;
}

export interface MockReply {
  status?: number;
  headers?: Array<[string, string]> | Record<string, string>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export type MockHandler = (request: RecordedRequest, index: number) => MockReply | Promise<MockReply>;

export interface MockUpstream {
  upstream: UpstreamPort;
  requests: RecordedRequest[];
  /** Header value of the i-th request (names compared lower-case). */
  header(index: number, name: string): string | undefined;
  bodyText(index: number): string;
}

export function createMockUpstream(handler: MockHandler = () => ({ status: 200, body: '{"ok":true}' })): MockUpstream {
  const requests: RecordedRequest[] = [];
  const upstream: UpstreamPort = async (request) => {
    const recorded: RecordedRequest = {
      url: request.url,
      method: request.method,
      headers: request.headers.map(([n, v]) => [n, v]),
      body: await collect(request.body),
      ...(request.clientCertificate ? { clientCertificate: request.clientCertificate } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    };
    const index = requests.push(recorded) - 1;
    const reply = await handler(recorded, index);
    return toResponse(reply);
  };
  return {
    upstream,
    requests,
    header: (index, name) => requests[index]?.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
    bodyText: (index) => new TextDecoder().decode(requests[index]?.body ?? new Uint8Array()),
  };
}

/** A body that yields the given chunks (strings are UTF-8 encoded). */
export async function* chunks(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
}

// --- internal ---

async function collect(body: UpstreamRequest['body']): Promise<Uint8Array | null> {
  if (body === null) return null;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

function toResponse(reply: MockReply): UpstreamResponse {
  const headers = Array.isArray(reply.headers) ? reply.headers : Object.entries(reply.headers ?? {});
  const body = reply.body ?? '';
  const iterable: AsyncIterable<Uint8Array> =
    typeof body === 'string' || body instanceof Uint8Array ? chunks(typeof body === 'string' ? body : body) : body;
  return { status: reply.status ?? 200, headers: headers.map(([n, v]) => [n.toLowerCase(), v] as const), body: iterable };
}
