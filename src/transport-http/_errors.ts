// Broker errors as HTTP replies: `{"error", "message"}` with Decision 15's status, `Retry-After`
// on the rate limit. Never a stack, never a cause, never an unknown error's text.
import type { ServerResponse } from 'node:http';
import { BrokerError, httpStatusOf, retryAfterSeconds } from '../core/index.js';

/** An error whose HTTP status is not its code's (404 route, 405 method, 413 size, 501), with extra headers. */
export class StatusError extends Error {
  readonly status: number;
  readonly error: BrokerError;
  readonly headers: Record<string, string>;

  constructor(status: number, error: BrokerError, headers: Record<string, string> = {}) {
    super(error.message);
    this.status = status;
    this.error = error;
    this.headers = headers;
  }
}

/** Sends `error` as JSON, unless the reply already started: then the connection is cut (a truncated body). */
export function sendError(response: ServerResponse, error: unknown, now: () => number): void {
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  const broker = BrokerError.from(error instanceof StatusError ? error.error : error);
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...(error instanceof StatusError ? error.headers : {}) };
  // A body left unread would be drained for keep-alive, however long the caller keeps sending.
  if (response.req !== undefined && !response.req.complete) headers['connection'] = 'close';
  const status = error instanceof StatusError ? error.status : httpStatusOf(broker);
  // The rate limit (429): its windows are whole minutes (Decision 9), the next opens this soon.
  if (status === 429) headers['retry-after'] = String(retryAfterSeconds(now()));
  sendJson(response, status, broker.toJSON(), headers);
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
  response.end(body);
}

/** `invalid_request`, for the errors of the HTTP layer itself (paired with a `StatusError` status). */
export function routeError(message: string): BrokerError {
  return new BrokerError({ code: 'invalid_request', message });
}
