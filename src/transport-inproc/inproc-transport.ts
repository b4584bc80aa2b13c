/**
 * The in-process transport: the daemon's request and reply heads go through the real codec
 * (so wire bugs show up in-process too); body streams pass straight through.
 * Transport authors import only from the core barrel.
 *
 * @see ../../shared/spec/daemon.md §6.1, §9; STYLE.md rule 5
 */
import {
  BrokerError,
  DEFAULT_READ_MAX_BYTES,
  createCodecTransport,
  decodeReplyValue,
  decodeRequest,
  encodeReply,
  errorReply,
  jsonEncoder,
  protocolError,
  serveRequest,
  type BrokerService,
  type CallOptions,
  type ControlTransport,
  type Served,
  type WirePipe,
} from '../core/protocol/index.js';

export interface InprocTransportOptions {
  /** Request cap, as on the socket. @default 16 MiB */
  readMaxBytes?: number;
}

const NAME = 'inproc';

/**
 * @example
 * const client = createClient({ transport: createInprocTransport(service) });
 */
export function createInprocTransport(service: BrokerService, options: InprocTransportOptions = {}): ControlTransport {
  const readMaxBytes = options.readMaxBytes ?? DEFAULT_READ_MAX_BYTES;
  const serve = async (value: Record<string, unknown>, call?: CallOptions): Promise<Served> => {
    let request;
    try {
      request = decodeRequest(jsonEncoder.encode(value), { readMaxBytes });
    } catch (error) {
      const normalised = BrokerError.from(error);
      return { kind: 'reply', reply: errorReply(normalised), error: normalised };
    }
    if (request.op === 'multiplex') throw protocolError(NAME, 'multiplex is a socket-only op', false);
    return serveRequest(service, request, { transport: 'inproc', ...(call?.signal ? { signal: call.signal } : {}) });
  };
  const pipe: WirePipe = {
    name: NAME,
    async call(value, call) {
      const served = await serve(value, call);
      if (served.kind === 'stream') throw protocolError(NAME, 'unexpected stream reply', false);
      return unwrap(served);
    },
    async *stream(value, call) {
      const served = await serve(value, call);
      if (served.kind === 'reply') {
        unwrap(served);
        throw protocolError(NAME, 'unexpected non-frame reply', true);
      }
      try {
        yield* served.body;
      } catch (error) {
        throw BrokerError.from(error);
      }
    },
    close: async () => {},
  };
  return createCodecTransport(pipe);
}

// --- internal ---

/** Round-trips the reply through its byte encoding; an `ok:false` keeps the original error's code. */
function unwrap(served: Extract<Served, { kind: 'reply' }>): unknown {
  try {
    return decodeReplyValue(encodeReply(served.reply), { socket: NAME });
  } catch (error) {
    throw served.error ?? error;
  }
}
