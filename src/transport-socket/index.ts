/**
 * Unix-socket transport: the `aivaultd` server and its client. Transport authors import only from
 * the core barrel.
 */
export { createClient } from '../core/protocol/index.js';
export type { Client, ClientCallOptions } from '../core/protocol/index.js';
export { createSocketServer } from './socket-server.js';
export type { SocketServer, SocketServerOptions } from './socket-server.js';
export { createSocketTransport } from './socket-transport.js';
export type { SocketTransportOptions } from './socket-transport.js';
export {
  isTruthy,
  pathVar,
  autostartEnabled,
  autostartOnce,
  parseOctalMode,
  resolveAivaultPaths,
  clientSocketCandidates,
  daemonSocketPath,
  daemonModes,
} from './socket-paths.js';
export type { PathInputs, AivaultPaths } from './socket-paths.js';
