// Socket fixtures: a daemon on a socket in a fresh mkdtemp directory, closed and leak-checked after use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { BrokerService } from '../../src/core/index.js';
import { createSocketServer, type SocketServer, type SocketServerOptions } from '../../src/transport-socket/index.js';

export interface SocketFixture {
  dir: string;
  path: string;
  server: SocketServer;
  /** Waits until every connection is gone (fails by test timeout if one leaks), then closes. */
  close(): Promise<void>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'aivault-sock-'));
}

export async function startSocketServer(
  service: BrokerService,
  options: Partial<SocketServerOptions> = {},
  dir?: string,
): Promise<SocketFixture> {
  const base = dir ?? (await tempDir());
  const path = options.path ?? join(base, 'run', 'aivaultd.sock');
  const server = await createSocketServer({ service, ...options, path });
  return {
    dir: base,
    path,
    server,
    close: async () => {
      await server.idle();
      assert.equal(server.connectionCount(), 0);
      await server.close();
      await server.done.catch(() => {});
      await rm(base, { recursive: true, force: true });
    },
  };
}
