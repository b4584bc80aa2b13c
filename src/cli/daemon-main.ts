/**
 * The daemon's body: refuse dev overrides under `--shared`, build the broker service over this
 * process's vault, serve the socket until it closes. Loaded only by `runAivaultd`.
 *
 * @see ../../../shared/spec/daemon.md §3-§4, security.md §9
 */
import { BrokerError } from '../core/broker-error.js';
import type { BrokerService } from '../core/protocol/service.js';
import { assertNoDevOverrides } from '../transport-inproc/dev-overrides.js';
import type { CliIo } from './io.js';
import type { DaemonOptions } from './run-aivaultd.js';
import { createDaemonService } from './wiring.js';
import { flushOpenVaults } from './pending-writes.js';

/**
 * Serves until the server stops; resolves to the exit code. `service` is injectable for tests;
 * by default it is the integrator's broker service over this process's vault.
 */
export async function serveDaemon(options: DaemonOptions, io: CliIo, service?: BrokerService): Promise<number> {
  // security.md §9 item 3: `--shared`, or listening on the shared socket path by `--socket`.
  if (options.shared || options.onSharedPath === true) {
    assertNoDevOverrides(io.env);
  }
  if (options.http !== undefined) throw new BrokerError({ code: 'daemon_error', message: '--http is not available in this build of aivaultd (the HTTP transport is not built yet)' });
  const svc = service ?? (await createDaemonService(io, { unlockTtlMs: options.unlockTtlMs }));
  const { createSocketServer } = await import('../transport-socket/socket-server.js');
  const server = await createSocketServer({
    service: svc,
    path: options.socketPath,
    once: options.once,
    managedDirs: options.managedDirs,
    ...(options.socketMode === undefined ? {} : { socketMode: options.socketMode }),
    ...(options.dirMode === undefined ? {} : { dirMode: options.dirMode }),
  });
  const stop = () => void server.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await server.done;
    return 0;
  } finally {
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
    // calls do not wait for their audit lines: write them before the process exits (also --once)
    await flushOpenVaults();
  }
}
