/**
 * The seams between the CLI and the other engineers' modules (vault, registry operator API,
 * broker service, socket transport). Every heavy module is reached through a dynamic `import()`
 * here, so the thin invoke path never loads them.
 */
import { BrokerError } from '../core/broker-error.js';
import type { ControlTransport, Transport } from '../core/transport.js';
import type { SecretMetadata, Vault, VaultStatus } from '../core/vault/types.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import type { BrokerService } from '../core/protocol/service.js';
import type { ProxyService } from '../core/index.js';
import { osTmpdir, resolveHome } from './node-env.js';
import { trackVault } from './pending-writes.js';
import { socketChoice, vaultRootFor, type SocketChoice } from './socket-paths.js';
import { createSocketTransport } from '../transport-socket/socket-transport.js';

export interface OpenVaultOptions {
  /** Run the operator preamble (auto-init, finish rotation, migrations). `init` passes false. */
  preamble: boolean;
  /** A passphrase vault gets its key from `AIVAULT_PASSPHRASE` or the prompt (Decision 16). */
  needsKey: boolean;
}

/** Socket paths for this process. */
export function sockets(ctx: CliContext): SocketChoice {
  return socketChoice(ctx.env, resolveHome(ctx.env), osTmpdir(), process.platform);
}

/** The vault root for this process (vault.md §2.1). */
export function vaultRoot(ctx: CliContext): string {
  return vaultRootFor(ctx.env, resolveHome(ctx.env), osTmpdir());
}

/** Opens the vault of this process, running the operator preamble unless told otherwise. */
export async function openVault(ctx: CliContext, options: OpenVaultOptions): Promise<Vault> {
  const vault = await createVaultSeam(ctx);
  if (!options.preamble) return vault;
  const status = await vault.load();
  if (options.needsKey) await unlockLocally(ctx, vault, status);
  return vault;
}

/** For a locked passphrase vault: take the key from `AIVAULT_PASSPHRASE` or a no-echo prompt. */
export async function unlockLocally(ctx: CliContext, vault: Vault, status: VaultStatus): Promise<void> {
  if (status.providerType !== 'passphrase' || !status.locked) return;
  const { passphraseFrom } = await import('./passphrase.js');
  const passphrase = await passphraseFrom(ctx, undefined, { required: false });
  if (passphrase !== undefined) await vault.unlock(passphrase);
}

/**
 * A socket transport to `path` (one request per connection) with the control ops (health, key
 * ops). Connect failures surface on the first call as `details.kind === 'connect'`.
 */
export async function connectSocket(path: string): Promise<ControlTransport> {
  return createSocketTransport({ path });
}

/** An in-process transport over a broker service built on this process's vault (AIVAULTD_DISABLE). */
export async function inprocTransport(ctx: CliContext): Promise<Transport> {
  const { service, vault } = await nodeBrokerService(ctx.io, { unlockTtlMs: undefined, cwd: ctx.cwd });
  const status = await service.status();
  if (status.locked) {
    const { passphraseFrom } = await import('./passphrase.js');
    const passphrase = await passphraseFrom(ctx, undefined, { required: false });
    if (passphrase !== undefined) {
      const key = await vault.deriveKey(passphrase);
      try {
        await service.unlock(key);
      } finally {
        key.fill(0);
      }
    }
  }
  const { createInprocTransport } = await import('../transport-inproc/inproc-transport.js');
  return createInprocTransport(service);
}

// --- internal ---

async function createVaultSeam(ctx: CliContext): Promise<Vault> {
  const [{ createNodeVault }, { nodeFs }] = await Promise.all([import('../transport-inproc/node-vault.js'), import('../transport-inproc/node-fs.js')]);
  const home = resolveHome(ctx.env) ?? null;
  const vault = createNodeVault(ctx.env, {
    fs: nodeFs,
    crypto: globalThis.crypto,
    clock: { now: () => Date.now() },
    pid: process.pid,
    uuid: () => globalThis.crypto.randomUUID(),
    home,
    tmpdir: osTmpdir(),
  });
  return trackVault(vault);
}


/**
 * Registry pinning and auto-provisioning after `secrets create` / `import` (registry.md §7.4):
 * prints its stderr lines as they are due, so a failure still follows `Secret created: …`.
 */
export async function provisionSecret(ctx: CliContext, vault: Vault, created: SecretMetadata, mode: 'create' | 'import'): Promise<void> {
  const [{ provisionForSecret }, { builtinRegistry }] = await Promise.all([import('../core/registry/provisioning.js'), import('../core/registry/registry.js')]);
  await provisionForSecret({ vault, registry: builtinRegistry(), brokerStore: await brokerStoreFor(vault), secret: created, command: mode, emit: (line) => ctx.err(`${line}\n`) });
}

/** The `broker.json` store of `vault`'s root. */
export async function brokerStoreFor(vault: Vault): Promise<import('../core/registry/broker-store.js').BrokerStore> {
  const [{ createBrokerStore }, { nodeFs }] = await Promise.all([import('../core/registry/broker-store.js'), import('../transport-inproc/node-fs.js')]);
  return createBrokerStore({ fs: nodeFs, path: vault.paths.brokerPath, pid: process.pid, uuid: () => globalThis.crypto.randomUUID() });
}

/** A capability stored in `broker.json` (custom or provisioned), as methods + path prefixes. */
export async function storedCapabilityShape(ctx: CliContext, vault: Vault, capability: string): Promise<{ methods: string[]; pathPrefixes: string[] } | undefined> {
  void ctx;
  const state = await (await brokerStoreFor(vault)).load();
  const found = state.capabilities.find((c) => c.id === capability);
  return found === undefined ? undefined : { methods: found.allow.methods, pathPrefixes: found.allow.pathPrefixes };
}

/** Everything the registry engineer's operator API works on, for this process's vault. */
export async function operatorDeps(ctx: CliContext, options: { needsKey?: boolean } = {}): Promise<import('../core/runtime/operator/index.js').OperatorDeps> {
  const vault = await openVault(ctx, { preamble: true, needsKey: options.needsKey ?? false });
  const [{ builtinRegistry }, { createBindingsStore }, { nodeFs }] = await Promise.all([
    import('../core/registry/registry.js'),
    import('../core/registry/bindings-store.js'),
    import('../transport-inproc/node-fs.js'),
  ]);
  const uuid = () => globalThis.crypto.randomUUID();
  return {
    vault,
    registry: builtinRegistry(),
    brokerStore: await brokerStoreFor(vault),
    bindingsStore: createBindingsStore({ fs: nodeFs, path: vault.paths.capabilitiesPath, pid: process.pid, uuid }),
    clock: { now: () => Date.now() },
  };
}

/** The socket's `BrokerService` and the HTTP transport's `ProxyService` over one vault and state (`aivaultd --http`). */
export async function createDaemonServices(
  io: CliIo,
  options: { unlockTtlMs: number | undefined; allowRemoteClients: boolean },
): Promise<{ service: BrokerService; proxy: ProxyService }> {
  const { service, proxy } = await nodeBrokerService(io, options);
  return { service, proxy };
}

// --- internal (service) ---

/** The service and the (loaded, tracked) vault it serves: in-process unlock derives its key from that vault. */
async function nodeBrokerService(
  io: CliIo,
  options: { unlockTtlMs: number | undefined; cwd?: string; allowRemoteClients?: boolean },
): Promise<{ service: BrokerService; proxy: ProxyService; vault: Vault }> {
  const { createNodeBrokerService } = await import('../transport-inproc/node-service.js');
  const { service, proxy, vault } = await createNodeBrokerService({
    env: io.env,
    cwd: options.cwd ?? io.cwd ?? process.cwd(),
    ...(options.unlockTtlMs === undefined ? {} : { unlockTtlMs: options.unlockTtlMs }),
    allowRemoteClients: options.allowRemoteClients === true,
  });
  trackVault(vault);
  return { service, proxy, vault };
}
