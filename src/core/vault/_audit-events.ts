/** Builders for the vault's own audit events (vault.md §12.1): actor `operator`, scope string. */
import type { AuditEvent } from './types.js';
import type { VaultContext } from './_context.js';
import type { SecretRecord } from './records.js';
import { scopeString } from './scope.js';

export function auditVault(ctx: VaultContext, kind: string, note?: string): Promise<void> {
  return ctx.audit.append({ tsMs: ctx.clock.now(), kind, actor: 'operator', ...(note === undefined ? {} : { note }) });
}

export function auditSecret(
  ctx: VaultContext,
  kind: string,
  record: Pick<SecretRecord, 'secretId' | 'scope'>,
  extra: Pick<AuditEvent, 'note' | 'capability' | 'consumer'> = {},
): Promise<void> {
  return ctx.audit.append({
    tsMs: ctx.clock.now(),
    kind,
    secretId: record.secretId,
    scope: scopeString(record.scope),
    actor: 'operator',
    ...extra,
  });
}
