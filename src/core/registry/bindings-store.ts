/**
 * Capability bindings (`capabilities.json`): operator metadata mapping (capability, scope,
 * consumer) to a secret reference. Pure list operations plus a small file store.
 *
 * @see ../../../../shared/spec/vault.md §9
 */
import { array, integer, literal, nonempty, nullable, optional, string, type, union, unknown, validate } from 'superstruct';
import { atomicWriteFile } from '../atomic-write.js';
import { invalidRequest, vaultError } from '../broker-error.js';
import type { FsPort } from '../ports.js';
import { parseJsonFile } from '../vault/json-file.js';
import { isNotFound, osErrorText } from '../vault/vault-errors.js';
import { describeStructError } from './registry.js';
import type { BindingScope, BindingsFile, CapabilityBinding } from './types.js';
import { prepareStateDir, reapplyStateModes } from './state-file-modes.js';

const text = nonempty(string());
// Read like the original's typed structs: unknown keys are ignored and a `null` consumer is absent.
const BindingSchema = type({
  capability: text,
  secretRef: text,
  scope: union([
    type({ type: literal('global') }),
    type({ type: literal('workspace'), workspace_id: text }),
    type({ type: literal('group'), workspace_id: text, group_id: text }),
  ]),
  consumer: optional(nullable(string())),
  updatedAtMs: integer(),
});
const BindingsFileSchema = type({ version: literal(1), bindings: array(BindingSchema) });

export interface BindingsStoreOptions {
  fs: FsPort;
  /** `<vault root>/capabilities.json`. */
  path: string;
  pid: number;
  uuid: () => string;
}

export interface BindingsStore {
  readonly path: string;
  /** Missing file → no bindings; malformed → `vault_error` naming the file. */
  load(): Promise<CapabilityBinding[]>;
  save(bindings: readonly CapabilityBinding[]): Promise<void>;
}

/** @see ../../../../shared/spec/vault.md §9 */
export function createBindingsStore(options: BindingsStoreOptions): BindingsStore {
  const { fs, path } = options;
  return {
    path,
    async load() {
      let bytes: Uint8Array;
      try {
        bytes = await fs.readFile(path);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw vaultError(`io error: ${osErrorText(error)}`, error);
      }
      await reapplyStateModes(fs, path);
      // Syntax errors name the file and the line/column, never echoing content (Decision 14).
      const raw = parseJsonFile(path, bytes, unknown());
      const [error, file] = validate(raw, BindingsFileSchema);
      if (error) throw vaultError(`malformed file ${path}: ${describeStructError(error)}`);
      return file.bindings.map((b) => normalizeStored(b));
    },
    async save(bindings) {
      const file: BindingsFile = { version: 1, bindings: bindings.map(bindingJson) };
      await prepareStateDir(fs, path);
      await atomicWriteFile(fs, path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, pid: options.pid, uuid: options.uuid });
    },
  };
}

/** Input scope for bind/unbind/resolve (the CLI's `--scope` plus ids). */
export interface BindingScopeInput {
  scope: 'global' | 'workspace' | 'group';
  workspaceId?: string | null;
  groupId?: string | null;
}

/** Builds and checks a binding scope (`workspace_id required for workspace scope`, …). */
export function toBindingScope(input: BindingScopeInput): BindingScope {
  const ws = input.workspaceId?.trim() ?? '';
  const group = input.groupId?.trim() ?? '';
  if (input.scope === 'global') return { type: 'global' };
  if (input.scope === 'workspace') {
    if (ws.length === 0) throw invalidRequest('workspace_id required for workspace scope');
    return { type: 'workspace', workspace_id: ws };
  }
  if (ws.length === 0 || group.length === 0) throw invalidRequest('workspace_id and group_id required for group scope');
  return { type: 'group', workspace_id: ws, group_id: group };
}

/** `global`, `workspace:<ws>`, `group:<ws>:<group>`. */
export function bindingScopeKey(scope: BindingScope): string {
  if (scope.type === 'global') return 'global';
  if (scope.type === 'workspace') return `workspace:${scope.workspace_id}`;
  return `group:${scope.workspace_id}:${scope.group_id}`;
}

/** Upsert by identity `<capability>|<scopeKey>|<consumer>`: replaced wholesale, else appended. */
export function upsertBinding(
  bindings: readonly CapabilityBinding[],
  input: { capability: string; secretRef: string; scope: BindingScope; consumer?: string | null },
  nowMs: number,
): { bindings: CapabilityBinding[]; binding: CapabilityBinding } {
  const capability = input.capability.trim();
  const secretRef = input.secretRef.trim();
  if (capability.length === 0) throw invalidRequest('capability required');
  if (secretRef.length === 0) throw invalidRequest('secret_ref required');
  const consumer = input.consumer?.trim() ?? '';
  const binding: CapabilityBinding = {
    capability,
    secretRef,
    scope: input.scope,
    ...(consumer.length > 0 ? { consumer } : {}),
    updatedAtMs: nowMs,
  };
  const key = identity(binding);
  const index = bindings.findIndex((b) => identity(b) === key);
  const next = index < 0 ? [...bindings, binding] : bindings.map((b, i) => (i === index ? binding : b));
  return { bindings: next, binding };
}

/** Removes the binding with exactly that identity. */
export function removeBinding(
  bindings: readonly CapabilityBinding[],
  input: { capability: string; scope: BindingScope; consumer?: string | null },
): { bindings: CapabilityBinding[]; removed: boolean } {
  const key = `${input.capability.trim()}|${bindingScopeKey(input.scope)}|${input.consumer?.trim() ?? ''}`;
  const next = bindings.filter((b) => identity(b) !== key);
  return { bindings: next, removed: next.length !== bindings.length };
}

/** Sorted by capability, then scope key, then consumer (absent first). */
export function sortBindings(bindings: readonly CapabilityBinding[]): CapabilityBinding[] {
  return [...bindings].sort(
    (a, b) =>
      cmp(a.capability, b.capability) ||
      cmp(bindingScopeKey(a.scope), bindingScopeKey(b.scope)) ||
      cmp(a.consumer ?? '', b.consumer ?? ''),
  );
}

/**
 * The best binding for a capability in a context: group > workspace > global, then
 * consumer-specific > generic, then the most recent.
 */
export function resolveBinding(
  bindings: readonly CapabilityBinding[],
  query: { capability: string; workspaceId?: string | null; groupId?: string | null; consumer?: string | null },
): CapabilityBinding | undefined {
  const ws = query.workspaceId?.trim() ?? '';
  const group = query.groupId?.trim() ?? '';
  const consumer = query.consumer?.trim() ?? '';
  let best: { binding: CapabilityBinding; rank: [number, number, number] } | undefined;
  for (const binding of bindings) {
    if (binding.capability !== query.capability.trim()) continue;
    const scopeRank = rankScope(binding.scope, ws, group);
    const consumerRank = binding.consumer === undefined ? 1 : consumer.length > 0 && binding.consumer === consumer ? 2 : 0;
    if (scopeRank === 0 || consumerRank === 0) continue;
    const rank: [number, number, number] = [scopeRank, consumerRank, binding.updatedAtMs];
    if (best === undefined || greater(rank, best.rank)) best = { binding, rank };
  }
  return best?.binding;
}

/** `{capability, secretRef, scope, consumer?, updatedAtMs}` in that key order. */
export function bindingJson(b: CapabilityBinding): CapabilityBinding {
  return {
    capability: b.capability,
    secretRef: b.secretRef,
    scope: b.scope,
    ...(b.consumer !== undefined ? { consumer: b.consumer } : {}),
    updatedAtMs: b.updatedAtMs,
  };
}

// --- internal ---

function normalizeStored(b: { capability: string; secretRef: string; scope: BindingScope; consumer?: string | null | undefined; updatedAtMs: number }): CapabilityBinding {
  const consumer = b.consumer?.trim() ?? '';
  return { capability: b.capability, secretRef: b.secretRef, scope: scopeOnly(b.scope), ...(consumer ? { consumer } : {}), updatedAtMs: b.updatedAtMs };
}

/** The scope with its own keys only (unknown keys read from disk are not carried over). */
function scopeOnly(scope: BindingScope): BindingScope {
  if (scope.type === 'global') return { type: 'global' };
  if (scope.type === 'workspace') return { type: 'workspace', workspace_id: scope.workspace_id };
  return { type: 'group', workspace_id: scope.workspace_id, group_id: scope.group_id };
}

function identity(b: CapabilityBinding): string {
  return `${b.capability}|${bindingScopeKey(b.scope)}|${b.consumer ?? ''}`;
}

function rankScope(scope: BindingScope, ws: string, group: string): number {
  if (scope.type === 'global') return 1;
  if (scope.type === 'workspace') return ws.length > 0 && scope.workspace_id === ws ? 2 : 0;
  return ws.length > 0 && group.length > 0 && scope.workspace_id === ws && scope.group_id === group ? 3 : 0;
}

function greater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  return false;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
