/**
 * The unix-socket client: `createSocketTransport({ path })` sends one request per connection exactly
 * like the original client; `{ persistent: true }` keeps one multiplexed connection open for library
 * use. Transport authors import only from the core barrel.
 *
 * @see ../../shared/spec/daemon.md §5.1, §5.7
 */
import { createCodecTransport, type ControlTransport } from '../core/protocol/index.js';
import { createMultiplexPipe } from './_multiplex-pipe.js';
import { createOneShotPipe } from './_one-shot-pipe.js';

export interface SocketTransportOptions {
  /** The daemon's socket path (see `socket-paths.ts` for the client's choice). */
  path: string;
  /** One multiplexed connection for every call instead of one connection per call. @default false */
  persistent?: boolean;
}

/**
 * @example
 * const client = createClient({ transport: createSocketTransport({ path: '/home/me/.aivault/run/aivaultd.sock' }) });
 */
export function createSocketTransport(options: SocketTransportOptions): ControlTransport {
  return createCodecTransport(options.persistent === true ? createMultiplexPipe(options.path) : createOneShotPipe(options.path));
}
