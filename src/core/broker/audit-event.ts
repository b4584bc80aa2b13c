/**
 * The `capability.invoked` audit event (Decisions 8, 16, 18): one per call, refused calls
 * included. `path` is the caller's path without its query and before any auth prefix;
 * `requestBytes` are the bytes sent upstream. Never a secret, never a query value.
 *
 * @see ../../../shared/spec/vault.md §12.1, broker.md §12.1
 */
import type { ErrorCode } from '../error-codes.js';
import type { AuditEvent } from '../vault/types.js';
import type { CallContext } from './types.js';

/**
 * What the pipeline learned so far; filled step by step, read once at the end. Its keys are the
 * event's own, so the trace and the persisted event cannot drift apart.
 */
export type CallTrace = { startedAtMs: number } & Pick<
  AuditEvent,
  'capability' | 'credential' | 'provider' | 'host' | 'method' | 'path' | 'status' | 'requestBytes' | 'responseBytes'
>;

export const INVOKED_KIND = 'capability.invoked';

/** Builds the event with the contract's key order; absent keys omitted. */
export function buildInvokedEvent(trace: CallTrace, ctx: CallContext, endedAtMs: number, error?: ErrorCode): AuditEvent {
  const event: AuditEvent = { tsMs: trace.startedAtMs, kind: INVOKED_KIND };
  const put = <K extends keyof AuditEvent>(key: K, value: AuditEvent[K] | undefined): void => {
    if (value !== undefined) event[key] = value;
  };
  put('capability', trace.capability);
  put('credential', trace.credential);
  put('provider', trace.provider);
  put('host', trace.host);
  put('method', trace.method);
  put('path', trace.path);
  put('status', trace.status);
  put('durationMs', Math.max(0, endedAtMs - trace.startedAtMs));
  put('requestBytes', trace.requestBytes);
  put('responseBytes', trace.responseBytes);
  put('outcome', error === undefined ? 'ok' : 'error');
  put('error', error);
  put('workspaceId', nonBlank(ctx.workspaceId));
  put('groupId', nonBlank(ctx.groupId));
  put('clientIp', nonBlank(ctx.clientIp));
  put('transport', ctx.transport);
  return event;
}

/** The caller's path as audited: trimmed, query removed. */
export function auditPath(path: string): string {
  const trimmed = path.trim();
  const q = trimmed.indexOf('?');
  return q < 0 ? trimmed : trimmed.slice(0, q);
}

// --- internal ---

function nonBlank(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}
