/**
 * Turns the externally tagged strategy encoding into a `{ kind, config }` union for exhaustive
 * dispatch, and lists what each strategy owns (headers, query names) for the policy steps.
 * An unknown shape fails closed.
 *
 * @see ../../../../shared/spec/broker.md §2.4, §5, §6; security.md §7
 */
import { match } from 'ts-pattern';
import { policyViolation } from '../../broker-error.js';
import type { AuthKind, AuthStrategy } from '../../registry/types.js';

type ConfigOf<K extends AuthKind> = K extends 'basic' | 'mtls' ? null : Extract<AuthStrategy, Record<K, unknown>> extends infer S ? (S extends Record<K, infer C> ? C : never) : never;

export type AuthParts = { [K in AuthKind]: { kind: K; config: ConfigOf<K> } }[AuthKind];

const OBJECT_KINDS = ['header', 'query', 'path', 'multi_header', 'multi_query', 'o_auth2', 'aws_sig_v4', 'hmac'] as const;

/** SigV4 headers the broker always owns (Decision 18). */
export const AWS_MANAGED_HEADERS = ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'] as const;

export function authParts(strategy: AuthStrategy): AuthParts {
  const value: unknown = strategy;
  if (value === 'basic' || value === 'mtls') return { kind: value, config: null } as AuthParts;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const key = keys[0];
    if (keys.length === 1 && key !== undefined && (OBJECT_KINDS as readonly string[]).includes(key)) {
      const config = (value as Record<string, unknown>)[key];
      if (typeof config === 'object' && config !== null) return { kind: key, config } as AuthParts;
    }
    throw policyViolation(`unknown auth.type '${keys.join(',')}'`);
  }
  throw policyViolation(`unknown auth.type '${typeof value === 'string' ? value : typeof value}'`);
}

/** Header names the strategy injects; callers may not send them (security.md §7.2). */
export function managedHeaderNames(strategy: AuthStrategy): string[] {
  const lower = (s: string) => s.trim().toLowerCase();
  return match(authParts(strategy))
    .with({ kind: 'header' }, (p) => [lower(p.config.header_name)])
    .with({ kind: 'hmac' }, (p) => [lower(p.config.header_name)])
    .with({ kind: 'multi_header' }, (p) => p.config.map((t) => lower(t.header_name)))
    .with({ kind: 'aws_sig_v4' }, () => [...AWS_MANAGED_HEADERS])
    .with({ kind: 'query' }, { kind: 'path' }, { kind: 'multi_query' }, { kind: 'basic' }, { kind: 'o_auth2' }, { kind: 'mtls' }, () => [])
    .exhaustive();
}

/** Query names the strategy owns, with the refusal message for each family (security.md §7.3). */
export function managedQueryNames(strategy: AuthStrategy): { names: string[]; message: string } {
  return match(authParts(strategy))
    .with({ kind: 'query' }, (p) => ({ names: [p.config.param_name], message: 'query auth parameter is broker-managed' }))
    .with({ kind: 'multi_query' }, (p) => ({
      names: p.config.map((t) => t.param_name.trim()),
      message: 'multi-query auth parameter is broker-managed',
    }))
    .otherwise(() => ({ names: [], message: '' }));
}
