/**
 * Node's implementations of the core ports, built once at the edge by the bins and transports.
 *
 * @see ../../shared/STYLE.md rule 2; ../../shared/spec/daemon.md §1
 */
import * as fsp from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import { osHomeFor, resolveHomeDir, type Clock, type CryptoPort, type EnvMap, type FsPort, type UpstreamPort } from '../core/index.js';
import { resolveUpstreamDevOptions } from './dev-overrides.js';
import { nodeFs } from './node-fs.js';
import { createUndiciUpstream, type UndiciUpstream, type UndiciUpstreamOptions } from './upstream-undici.js';

export interface NodePortsOptions {
  env: EnvMap;
  /** The build-time dev gate (`DEV_GATE` from `src/build-flags.ts`). */
  devGate: boolean;
  /** Extra upstream options (tests inject `lookup`). */
  upstream?: Omit<UndiciUpstreamOptions, 'resolve' | 'extraCaPem'>;
}

export interface NodePorts {
  fs: FsPort;
  crypto: CryptoPort;
  clock: Clock;
  /** Built on first use, so a release-build dev variable fails the call that needs the network, not start-up. */
  upstream: UpstreamPort;
  pid: number;
  uuid(): string;
  /** The OS home for `env` (`osHomeFor`), else `$HOME`, else `$USERPROFILE` (blank counts as missing), else `null` (daemon.md §1). */
  home: string | null;
  tmpdir: string;
  /** Closes pooled upstream connections. */
  close(): Promise<void>;
}

export { nodeFs };

export function createNodePorts(options: NodePortsOptions): NodePorts {
  const { env, devGate } = options;
  let built: Promise<UndiciUpstream> | null = null;
  const getUpstream = () =>
    (built ??= resolveUpstreamDevOptions(env, devGate, (path) => fsp.readFile(path)).then((dev) =>
      createUndiciUpstream({ ...options.upstream, ...dev }),
    ));
  const upstream: UpstreamPort = async (request) => (await getUpstream())(request);
  return {
    fs: nodeFs,
    crypto: globalThis.crypto,
    clock: { now: () => Date.now() },
    upstream,
    pid: process.pid,
    uuid: () => randomUUID(),
    home: resolveHomeDir(osHomeFor(env, process.platform, accountHome), env) ?? null,
    tmpdir: tmpdir(),
    close: async () => {
      const current = built;
      built = null;
      await current?.then((u) => u.close(), () => {});
    },
  };
}

// --- internal ---

function accountHome(): string | undefined {
  try {
    return userInfo().homedir;
  } catch {
    return undefined;
  }
}
