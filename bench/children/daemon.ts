/**
 * The bench daemon: the same service `aivaultd` assembles (vault, registry, broker.json, rate
 * limiter) behind `createSocketServer`, with the production upstream from `createNodePorts`
 * (dev gate open: `AIVAULT_DEV_RESOLVE` / `AIVAULT_DEV_CA_CERT_PATH` reach the mock). Used when
 * the built `aivaultd` cannot reach an upstream. Usage: `node daemon.js <socket>`; prints
 * `ready <pid>` once listening; SIGTERM closes gracefully.
 */
import { createNodePorts } from '../../src/transport-inproc/index.js';
import { createSocketServer } from '../../src/transport-socket/index.js';
import { assembleService } from '../_service.js';

const socketPath = process.argv[2];
if (socketPath === undefined) throw new Error('usage: daemon.js <socket>');
const env = { ...process.env };
const ports = createNodePorts({ env, devGate: true });
const { service } = await assembleService({ env, upstream: ports.upstream });
const server = await createSocketServer({ service, path: socketPath, pidFile: false });
process.on('SIGTERM', () => void server.close());
process.stdout.write(`ready ${process.pid}\n`);
await server.done;
await ports.close();
