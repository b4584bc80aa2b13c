/**
 * The daemon's body: refuse dev overrides under `--shared`, build the broker services over this
 * process's vault, serve the socket (and with `--http` the HTTP transport, over the same state)
 * until it closes. Loaded only by `runAivaultd`.
 *
 * @see ../../../shared/spec/daemon.md §3-§4, security.md §9-§10, spec/README.md Decision 15
 */
import { BrokerError } from '../core/broker-error.js';
import type { BrokerService } from '../core/protocol/service.js';
import type { ProxyService } from '../core/index.js';
import { DEV_GATE } from '../build-flags.js';
import { assertNoDevOverrides } from '../transport-inproc/dev-overrides.js';
import type { CliIo } from './io.js';
import type { DaemonOptions } from './run-aivaultd.js';
import { createDaemonServices } from './wiring.js';
import { flushOpenVaults } from './pending-writes.js';
import { writeOut } from './output.js';

/** What the daemon serves: the socket's service and, for `--http`, the proxy side of the same state. */
export interface DaemonServices {
  service: BrokerService;
  proxy?: ProxyService;
}

/**
 * Serves until the servers stop; resolves to the exit code. `services` is injectable for tests;
 * by default they are the integrator's services over this process's vault.
 */
export async function serveDaemon(options: DaemonOptions, io: CliIo, services?: DaemonServices): Promise<number> {
  // security.md §9 item 3: `--shared`, or listening on the shared socket path by `--socket`.
  if (options.shared || options.onSharedPath === true) {
    assertNoDevOverrides(io.env);
  }
  const svc = services ?? (await createDaemonServices(io, { unlockTtlMs: options.unlockTtlMs, allowRemoteClients: options.allowRemote }));
  const { createSocketServer } = await import('../transport-socket/socket-server.js');
  const server = await createSocketServer({
    service: svc.service,
    path: options.socketPath,
    once: options.once,
    managedDirs: options.managedDirs,
    ...(options.socketMode === undefined ? {} : { socketMode: options.socketMode }),
    ...(options.dirMode === undefined ? {} : { dirMode: options.dirMode }),
  });
  let http: { close(): Promise<void>; done: Promise<void> } | undefined;
  try {
    if (options.http !== undefined) http = await startHttp(options, io, svc.proxy);
  } catch (error) {
    await server.close();
    throw error;
  }
  const stop = () => void Promise.all([server.close(), http?.close()]);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    // Either server failing stops both; the daemon exits with the failure (daemon.md §3 exit 1).
    await Promise.all([server.done, http?.done].map((done) => done?.catch((error: unknown) => (stop(), Promise.reject(error)))));
    return 0;
  } finally {
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
    // calls do not wait for their audit lines: write them before the process exits (also --once)
    await flushOpenVaults();
  }
}

// --- internal ---

/** `--http`: the operator token first (so a refused start leaves no listener), then the listener. */
async function startHttp(options: DaemonOptions, io: CliIo, proxy: ProxyService | undefined): Promise<{ close(): Promise<void>; done: Promise<void> }> {
  if (proxy === undefined) throw new BrokerError({ code: 'daemon_error', message: '--http needs the proxy service, which this build does not provide' });
  const address = options.http!;
  const { createHttpServer, ensureOperatorToken } = await import('../transport-http/index.js');
  const { createNodeUpstreamSocketConnector } = await import('../transport-inproc/upstream-socket.js');
  const operator = await ensureOperatorToken(options.runDir);
  // The WebSocket relay dials upstreams under the same dev options and gate as the broker's undici upstream.
  const connectUpstream = createNodeUpstreamSocketConnector({ env: io.env, devGate: DEV_GATE });
  const server = await createHttpServer({ proxy, operatorToken: operator.token, host: address.host, port: address.port, allowRemote: options.allowRemote, connectUpstream });
  await writeOut(io.stderr, `aivaultd: HTTP transport on ${server.url} (operator token: ${operator.path})\n`);
  return server;
}
