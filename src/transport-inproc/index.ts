/**
 * In-process transport, plus the Node ports and the production upstream client every bin builds
 * once at the edge. Transport authors import only from the core barrel.
 */
export { createInprocTransport } from './inproc-transport.js';
export type { InprocTransportOptions } from './inproc-transport.js';
