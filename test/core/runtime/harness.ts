// Shared setup for registry/runtime tests: fake vault, memfs broker.json, manual clock, built-in registry.
import { createManualClock } from '../../fakes/manual-clock.js';
import { createMemFs } from '../../fakes/memfs-port.js';
import { createVault } from '../../../src/core/vault/create-vault.js';
import type { Vault } from '../../../src/core/vault/types.js';
import { createBrokerStore } from '../../../src/core/registry/broker-store.js';
import { createBindingsStore } from '../../../src/core/registry/bindings-store.js';
import { builtinRegistry } from '../../../src/core/registry/registry.js';
import { provisionForSecret } from '../../../src/core/registry/provisioning.js';
import type { Scope } from '../../../src/core/vault/types.js';

/** A real vault over memfs (auto-initialised with the file provider), recording which secrets get decrypted. */
export async function harness() {
  const clock = createManualClock();
  const memfs = createMemFs();
  const inner = createVault({
    fs: memfs.fs,
    crypto: globalThis.crypto,
    clock,
    env: {},
    rootDir: '/vault',
    home: '/home/u',
    pid: 4242,
    sleep: async (ms) => clock.advance(ms),
  });
  await inner.load();
  const reads: Array<{ secretId: string; name: string; purpose: string | undefined }> = [];
  const vault: Vault & { reads: typeof reads; valueOf(secretId: string): Promise<string> } = {
    ...inner,
    reads,
    async resolve(secretRef, options) {
      const value = await inner.resolve(secretRef, options);
      const secretId = secretRef.replace(/^vault:secret:/, '');
      reads.push({ secretId, name: (await inner.getSecret(secretId)).name, purpose: options?.purpose });
      return value;
    },
    async valueOf(secretId) {
      return new TextDecoder().decode(await inner.resolve(`vault:secret:${secretId}`, { skipScopeCheck: true }));
    },
  };
  let n = 0;
  const brokerStore = createBrokerStore({ fs: memfs.fs, path: '/vault/broker.json', pid: 1, uuid: () => `u${++n}` });
  const bindingsStore = createBindingsStore({ fs: memfs.fs, path: '/vault/capabilities.json', pid: 1, uuid: () => `u${++n}` });
  const registry = builtinRegistry();
  /** `secrets create` as the CLI does it: create, then pin + auto-provision. */
  async function createSecret(name: string, value: string, scope: Scope = { kind: 'global' }) {
    const secret = await vault.createSecret({ name, value: new TextEncoder().encode(value), scope });
    const result = await provisionForSecret({ vault, registry, brokerStore, secret, command: 'create' });
    clock.advance(1);
    return { secret, ...result };
  }
  const brokerJson = () => JSON.parse(memfs.vol.readFileSync('/vault/broker.json', 'utf8') as string);
  return { clock, vault, memfs, brokerStore, bindingsStore, registry, createSecret, brokerJson };
}

export const ws = (workspaceId: string): Scope => ({ kind: 'workspace', workspaceId });
export const group = (workspaceId: string, groupId: string): Scope => ({ kind: 'group', workspaceId, groupId });
