/**
 * In-process transport, plus the Node ports and the production upstream client every bin builds
 * once at the edge. Transport authors import only from the core barrel.
 */
export { createInprocTransport } from './inproc-transport.js';
export type { InprocTransportOptions } from './inproc-transport.js';
export { createNodePorts, nodeFs } from './node-ports.js';
export { createNodeBrokerService } from './node-service.js';
export type { NodeBrokerService, NodeBrokerServiceOptions } from './node-service.js';
export { createNodeVault, nodeAuditBatching } from './node-vault.js';
export { createClient } from '../core/index.js';
export type { Client, ClientCallOptions } from '../core/index.js';
export type { NodePorts, NodePortsOptions } from './node-ports.js';
export { createUndiciUpstream, ssrfBlocked } from './upstream-undici.js';
export type { UndiciUpstream, UndiciUpstreamOptions, DevResolveTarget } from './upstream-undici.js';
export { createUpstreamSocketConnector, createNodeUpstreamSocketConnector } from './upstream-socket.js';
export type { UpstreamSocketConnector, UpstreamSocketOptions, UpstreamSocketTarget } from './upstream-socket.js';
export {
  assertNoDevOverrides,
  resolveBrokerDevOptions,
  resolveUpstreamDevOptions,
  parseDevResolve,
  FAIL_CLOSED_DEV_VARS,
  BROKER_DEV_VARS,
  UPSTREAM_DEV_VARS,
} from './dev-overrides.js';
export type { BrokerDevOptions } from './dev-overrides.js';
