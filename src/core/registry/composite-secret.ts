/**
 * The secret reference a provider (or alternative) uses in one scope: the claimed secret itself,
 * or a system-managed composite JSON secret built from several claimed secrets.
 *
 * Decision 18: the composite is rebuilt only when a component changed, detected by comparing the
 * composite's `updatedAtMs` with its components' (any component updated later → rebuild).
 *
 * @see ../../../../shared/spec/registry.md §7.3, vault.md §13
 */
import { vaultError } from '../broker-error.js';
import { utf8DecodeStrict, utf8Encode, wipe } from '../encoding.js';
import type { SecretMetadata, Vault } from '../vault/types.js';
import { compositeSecretName } from './scope-ids.js';
import { secretRefOf } from './secret-ref.js';
import type { AuthStrategy } from './types.js';

export interface SecretReferenceInput {
  vault: Vault;
  provider: string;
  /** Claimed names → placeholders (`vaultSecrets`). */
  claims: Readonly<Record<string, string>>;
  auth: AuthStrategy;
  /** Non-revoked secrets of exactly this scope, by name (last one listed wins). */
  secretsByName: ReadonlyMap<string, SecretMetadata>;
  /** Every non-revoked secret of the scope (to find an existing composite). */
  scopeSecrets: readonly SecretMetadata[];
}

/** True when the claims need a composite secret (several names, or `basic`). */
export function needsComposite(claims: Readonly<Record<string, string>>, auth: AuthStrategy): boolean {
  return Object.keys(claims).length !== 1 || auth === 'basic';
}

/**
 * `vault:secret:<id>` for the provider in the scope, building or refreshing the composite when needed.
 * A missing claimed secret fails with `missing required secret`.
 */
export async function secretReferenceFor(input: SecretReferenceInput): Promise<string> {
  const names = Object.keys(input.claims).sort();
  const components = names.map((name) => {
    const secret = input.secretsByName.get(name);
    if (secret === undefined) throw vaultError('missing required secret');
    return secret;
  });
  if (!needsComposite(input.claims, input.auth)) return secretRefOf(components[0]!.secretId);

  const first = components[0];
  if (first === undefined) throw vaultError('missing required secret');
  const name = compositeSecretName(input.provider, first.scope);
  const existing = input.scopeSecrets.filter((s) => s.name === name).at(-1);
  const newest = Math.max(...components.map((c) => c.updatedAtMs));
  if (existing !== undefined && existing.updatedAtMs >= newest && existing.pinnedProvider === input.provider && existing.systemManaged) {
    return secretRefOf(existing.secretId);
  }
  const value = await composeValue(input, names, components);
  try {
    let meta: SecretMetadata;
    if (existing !== undefined) {
      if (!existing.systemManaged) await input.vault.setSystemManaged(existing.secretId, true);
      meta = await input.vault.rotateSecret(existing.secretId, value);
    } else {
      meta = await input.vault.createSecret({ name, value, scope: first.scope, systemManaged: true });
    }
    if (meta.pinnedProvider !== input.provider) await input.vault.pinProvider(meta.secretId, input.provider);
    return secretRefOf(meta.secretId);
  } finally {
    wipe(value);
  }
}

// --- internal ---

async function composeValue(input: SecretReferenceInput, names: readonly string[], components: readonly SecretMetadata[]): Promise<Uint8Array> {
  const fields: Record<string, string> = {};
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    const bytes = await input.vault.resolve(secretRefOf(components[i]!.secretId), {
      skipScopeCheck: true,
      purpose: 'secret.autoprovision.compose',
      consumer: 'aivault-cli',
    });
    try {
      const text = utf8DecodeStrict(bytes);
      if (text === null) throw vaultError(`secret '${name}' must be utf-8 for composite auth`);
      fields[input.claims[name]!] = text;
    } finally {
      wipe(bytes);
    }
  }
  if (input.auth === 'basic' && !Object.hasOwn(fields, 'username')) fields.username = 'api';
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return utf8Encode(JSON.stringify(sorted));
}
