/**
 * `broker.json`: operator-defined credentials, capabilities and policies. Loading validates the
 * frame strictly and each entry on its own: one bad entry is skipped (and reported in `problems`)
 * and never disables the others; it is written back unchanged on the next save.
 *
 * @see ../../../../shared/spec/vault.md §10
 */
import { unknown, validate, type Struct } from 'superstruct';
import { parseJsonFile } from '../vault/json-file.js';
import { isNotFound, osErrorText } from '../vault/vault-errors.js';
import { atomicWriteFile } from '../atomic-write.js';
import { vaultError } from '../broker-error.js';
import { utf8DecodeStrict, utf8Encode } from '../encoding.js';
import type { Clock, FsPort } from '../ports.js';
import { createStatWatch } from '../stat-watch.js';
import { fileStamp } from './file-stamp.js';
import { deepFreeze, describeStructError } from './registry.js';
import { BrokerFileSchema, StoredCapabilitySchema, StoredCredentialSchema, StoredPolicySchema } from './broker-store-schema.js';
import type { BrokerStateFile, Capability, CapabilityPolicy, StoredCredential } from './types.js';
import { prepareStateDir, reapplyStateModes } from './state-file-modes.js';

export interface BrokerStoreOptions {
  fs: FsPort;
  /** `<vault root>/broker.json`. */
  path: string;
  /** Staging-file name ingredients (vault.md §2.4). */
  pid: number;
  uuid: () => string;
  /** With a clock, a port that can `watch` skips the per-call `stat` (see `../stat-watch.ts`). */
  clock?: Clock;
}

export type BrokerStateSection = 'credentials' | 'capabilities' | 'policies';

/** A skipped entry: where it was and why (no values: `broker.json` holds no secrets, but stay terse). */
export interface BrokerStateProblem {
  section: BrokerStateSection;
  index: number;
  id?: string;
  message: string;
}

/** The loaded state: valid entries, plus what was skipped. */
export interface LoadedBrokerState extends BrokerStateFile {
  problems: BrokerStateProblem[];
  /** Raw entries that failed validation, preserved verbatim on save. */
  invalid: Record<BrokerStateSection, unknown[]>;
}

export interface BrokerStore {
  readonly path: string;
  /**
   * Missing file → empty state. Unparseable file → `vault_error` naming the file. Parsed and
   * validated once per change of the file (stat-validated cache, dropped by this store's own
   * saves); every call returns its own copy, free to mutate.
   */
  load(): Promise<LoadedBrokerState>;
  /**
   * The same state without the copy, for the per-call read path: shared between callers and
   * deep-frozen, so it must not be mutated (use {@link BrokerStore.load} to edit and save).
   */
  loadShared(): Promise<Readonly<LoadedBrokerState>>;
  /** Pretty JSON in the contract's key order; atomic, file 0600, parent 0700. */
  save(state: BrokerStateFile & { invalid?: Record<BrokerStateSection, unknown[]> }): Promise<void>;
}

/** @see ../../../../shared/spec/vault.md §10 */
export function createBrokerStore(options: BrokerStoreOptions): BrokerStore {
  const { path } = options;
  const watched = options.clock === undefined ? null : createStatWatch({ fs: options.fs, clock: options.clock });
  const fs = watched?.fs ?? options.fs;
  const stamps = watched ?? fs;
  /** The last parse (deep-frozen), keyed by the file's stamp taken before reading it. */
  let cache: { stamp: string; state: LoadedBrokerState } | null = null;
  const read = async (): Promise<LoadedBrokerState> => {
    let text: string;
    try {
      text = utf8DecodeStrict(await fs.readFile(path)) ?? '\u0000';
    } catch (error) {
      if (isNotFound(error)) return emptyState();
      throw vaultError(`io error: ${osErrorText(error)}`, error);
    }
    await reapplyStateModes(options.fs, path);
    return parseBrokerState(text, path);
  };
  const shared = async (): Promise<LoadedBrokerState> => {
    const stamp = await fileStamp(stamps, path);
    if (stamp !== null && cache?.stamp === stamp) return cache.state;
    const state = deepFreeze(await read());
    cache = stamp === null ? null : { stamp, state };
    return state;
  };
  return {
    path,
    load: async () => structuredClone(await shared()),
    loadShared: shared,
    async save(state) {
      cache = null;
      await prepareStateDir(fs, path);
      await atomicWriteFile(fs, path, serializeBrokerState(state), { mode: 0o600, pid: options.pid, uuid: options.uuid });
    },
  };
}

/** Parses `broker.json` text (see {@link BrokerStore.load}); `file` names it in errors. */
export function parseBrokerState(text: string, file: string): LoadedBrokerState {
  // Syntax errors name the line and column and never echo the file's content (Decision 14).
  const raw = parseJsonFile(file, utf8Encode(text), unknown());
  const [frameError, frame] = validate(raw, BrokerFileSchema);
  if (frameError) throw vaultError(`malformed file ${file}: ${describeStructError(frameError)}`);
  const state = emptyState();
  collect(state, 'credentials', frame.credentials ?? [], StoredCredentialSchema, (c) => state.credentials.push(toCredential(c)));
  collect(state, 'capabilities', frame.capabilities ?? [], StoredCapabilitySchema, (c) => state.capabilities.push(c));
  collect(state, 'policies', frame.policies ?? [], StoredPolicySchema, (p) =>
    state.policies.push({ capabilityId: p.capabilityId, policy: policyJson(p.policy) }),
  );
  return state;
}

/** Pretty-printed JSON with the key order and null/omission rules of vault.md §10. */
export function serializeBrokerState(state: BrokerStateFile & { invalid?: Record<BrokerStateSection, unknown[]> }): string {
  const invalid = state.invalid ?? { credentials: [], capabilities: [], policies: [] };
  const file = {
    version: 1,
    credentials: [...state.credentials.map(storedCredentialJson), ...invalid.credentials],
    capabilities: [...state.capabilities.map(capabilityJson), ...invalid.capabilities],
    policies: [...state.policies.map((p) => ({ capabilityId: p.capabilityId, policy: policyJson(p.policy) })), ...invalid.policies],
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** A stored credential in the contract's key order (`capabilities` omitted when empty, …). */
export function storedCredentialJson(c: StoredCredential): Record<string, unknown> {
  return {
    id: c.id,
    provider: c.provider,
    workspaceId: c.workspaceId ?? null,
    groupId: c.groupId ?? null,
    auth: c.auth,
    hosts: [...c.hosts],
    ...(c.capabilities !== undefined && c.capabilities.length > 0 ? { capabilities: [...c.capabilities] } : {}),
    ...(c.priority !== undefined && c.priority !== 0 ? { priority: c.priority } : {}),
    ...(c.upstreamPathPrefix !== undefined ? { upstreamPathPrefix: c.upstreamPathPrefix } : {}),
    secretRef: c.secretRef,
    ...(c.maxPolicyMode !== undefined ? { maxPolicyMode: c.maxPolicyMode } : {}),
  };
}

/** `{id, provider, allow: {hosts, methods, pathPrefixes}}`. */
export function capabilityJson(c: Capability): Capability {
  return { id: c.id, provider: c.provider, allow: { hosts: [...c.allow.hosts], methods: [...c.allow.methods], pathPrefixes: [...c.allow.pathPrefixes] } };
}

/** Every policy key present; unset numbers `null`. */
export function policyJson(p: Partial<CapabilityPolicy>): CapabilityPolicy {
  return {
    rateLimitPerMinute: p.rateLimitPerMinute ?? null,
    maxRequestBodyBytes: p.maxRequestBodyBytes ?? null,
    maxResponseBodyBytes: p.maxResponseBodyBytes ?? null,
    responseBodyBlocklist: [...(p.responseBodyBlocklist ?? [])],
  };
}

/** Replace by id, else append. */
export function upsertById<T extends { id: string }>(list: T[], item: T): T[] {
  const index = list.findIndex((x) => x.id === item.id);
  return index < 0 ? [...list, item] : list.map((x, i) => (i === index ? item : x));
}

/** One-line rendering of a problem for the CLI. */
export function formatBrokerStateProblem(problem: BrokerStateProblem): string {
  const id = problem.id === undefined ? '' : ` '${problem.id}'`;
  return `broker.json ${problem.section}[${problem.index}]${id} skipped: ${problem.message}`;
}

// --- internal ---

function emptyState(): LoadedBrokerState {
  return { version: 1, credentials: [], capabilities: [], policies: [], problems: [], invalid: { credentials: [], capabilities: [], policies: [] } };
}

function collect<T>(state: LoadedBrokerState, section: BrokerStateSection, entries: unknown[], schema: Struct<T>, accept: (value: T) => void): void {
  entries.forEach((entry, index) => {
    const [error, value] = validate(entry, schema);
    if (error) {
      state.invalid[section].push(entry);
      state.problems.push({ section, index, ...idOf(entry), message: describeStructError(error) });
    } else {
      accept(value);
    }
  });
}

function idOf(entry: unknown): { id?: string } {
  if (typeof entry !== 'object' || entry === null) return {};
  const record = entry as Record<string, unknown>;
  const id = record.id ?? record.capabilityId;
  return typeof id === 'string' ? { id } : {};
}

function toCredential(c: ReturnType<typeof StoredCredentialSchema.create>): StoredCredential {
  return {
    id: c.id,
    provider: c.provider,
    workspaceId: c.workspaceId ?? null,
    groupId: c.groupId ?? null,
    auth: c.auth,
    hosts: c.hosts,
    ...(c.capabilities != null ? { capabilities: c.capabilities } : {}),
    ...(c.priority != null ? { priority: c.priority } : {}),
    ...(c.upstreamPathPrefix != null ? { upstreamPathPrefix: c.upstreamPathPrefix } : {}),
    secretRef: c.secretRef,
    ...(c.maxPolicyMode != null ? { maxPolicyMode: c.maxPolicyMode } : {}),
  };
}

