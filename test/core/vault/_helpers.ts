// Shared setup for vault tests: a memfs-backed vault with a manual clock and fast KDF params.
import { createMemFs, type MemFs } from '../../fakes/memfs-port.js';
import { createManualClock, type ManualClock } from '../../fakes/manual-clock.js';
import { createVault, type VaultOptions } from '../../../src/core/vault/create-vault.js';
import type { Vault } from '../../../src/core/vault/types.js';
import type { FsPort } from '../../../src/core/ports.js';
import { utf8Encode } from '../../../src/core/encoding.js';

export const ROOT = '/vault';
export const HOME = '/home/u';
/** Small Argon2id parameters so passphrase tests stay fast (the vectors test the real ones). */
export const FAST_KDF = { mCostKib: 64, tCost: 1, pCost: 1 };
export const KEY_A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
export const KEY_B = 'ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=';

export interface TestVault {
  vault: Vault;
  mem: MemFs;
  clock: ManualClock;
  make: (overrides?: Partial<VaultOptions>) => Vault;
}

/** A vault over a fresh (or given) memfs; `make()` builds another instance on the same fs. */
export function setupVault(overrides: Partial<VaultOptions> & { mem?: MemFs; clock?: ManualClock } = {}): TestVault {
  const mem = overrides.mem ?? createMemFs();
  const clock = overrides.clock ?? createManualClock();
  const make = (more: Partial<VaultOptions> = {}): Vault =>
    createVault({
      fs: mem.fs,
      crypto: globalThis.crypto,
      clock,
      env: {},
      rootDir: ROOT,
      home: HOME,
      pid: 4242,
      sleep: async (ms) => clock.advance(ms),
      kdf: FAST_KDF,
      ...overrides,
      ...more,
    });
  return { vault: make(), mem, clock, make };
}

export const bytes = (text: string): Uint8Array => utf8Encode(text);
export const text = (value: Uint8Array): string => new TextDecoder().decode(value);
export const ref = (secretId: string): string => `vault:secret:${secretId}`;

export function modeOf(mem: MemFs, path: string): number {
  return mem.vol.statSync(path).mode & 0o777;
}

export function readJson(mem: MemFs, path: string): Record<string, unknown> {
  return JSON.parse(String(mem.vol.readFileSync(path))) as Record<string, unknown>;
}

export function files(mem: MemFs, dir: string): string[] {
  return (mem.vol.readdirSync(dir) as string[]).sort();
}

/** An FsPort whose every mutating call from the `failFrom`-th on fails: a crash at that write. */
export function crashFrom(fs: FsPort, failFrom: number): { fs: FsPort; count: () => number } {
  let calls = 0;
  const wrapped = { ...fs } as FsPort;
  for (const method of ['writeFile', 'appendFile', 'open', 'rename', 'mkdir', 'chmod', 'rm'] as const) {
    const original = fs[method] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      calls += 1;
      if (calls >= failFrom) throw Object.assign(new Error(`crashed at write ${calls}`), { code: 'EIO' });
      return original(...args);
    };
  }
  return { fs: wrapped, count: () => calls };
}
