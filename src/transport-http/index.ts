/**
 * HTTP transport (Decision 15): the server `aivaultd --http` runs, its listen-address rules and
 * its operator token. Transport authors import only from the core barrel.
 */

// --- for applications ---
export { createHttpServer } from './http-server.js';
export type { HttpServer, HttpServerOptions } from './http-server.js';
export type { UpstreamSocketConnector } from './_ws-relay.js';
export { ensureOperatorToken, operatorTokenPath, OPERATOR_TOKEN_FILE } from './operator-token.js';

// --- for daemon authors ---
export { parseListenAddress, isLoopbackAddress, baseUrlFor, DEFAULT_HTTP_HOST } from './listen-address.js';
export type { ListenAddress } from './listen-address.js';
