/**
 * The wire barrel: the daemon protocol, the client, and the error and call shapes a thin client
 * needs. It pulls in no vault, crypto, registry or broker pipeline code, so the socket client
 * (and `aivault invoke` on the daemon path) stays a small chunk. `src/core/index.ts` re-exports it.
 *
 * @see ../../../shared/spec/daemon.md §5
 */

// --- errors and shapes ---
export { BrokerError, renderErrorText, isBrokerError } from '../broker-error.js';
export type { BrokerErrorOptions } from '../broker-error.js';
export type { ErrorCode } from '../error-codes.js';
export type { EnvMap } from '../ports.js';
export { isTruthy } from '../env-flags.js';
export { osHomeFor, resolveHomeDir } from '../home-dir.js';
export { knownOsErrorText } from '../os-error-text.js';
export type { Envelope, EnvelopeRequest, BrokerRequest, BrokerResponse, BrokerResult, CallContext, PlannedSummary } from '../broker/types.js';
export type { Transport, InvokeRequest, CallOptions } from '../transport.js';

// --- client, codecs and serving ---
export { createClient } from '../create-client.js';
export type { Client, ClientOptions, ClientCallOptions, JsonResult } from '../create-client.js';
export type { ControlTransport, TransportStatus } from '../transport.js';
export type { BrokerService, DaemonStatus } from './service.js';
export { createCodecTransport } from './codec-transport.js';
export type { WirePipe } from './codec-transport.js';
export { DEFAULT_READ_MAX_BYTES, jsonEncoder, encodeLine, formatByteLimit, createRequestReader, createLineSplitter, LineTooLongError } from './frame.js';
export type { Encoder, RequestReader, LineSplitter } from './frame.js';
export { decodeRequest, parseRequestValue, executeRequestValue, encodeExecuteRequest, controlRequestValue, healthRequest, HEALTH_CAPABILITY } from './request-codec.js';
export type { WireRequest, ExecuteWireRequest } from './request-codec.js';
export { encodeReply, okReply, errorReply, decodeReplyValue, replyValue, encodeStreamFrame, streamFrames, decodeStreamLine, streamFrameValue, streamEndedEarly, decodeBrokerResult } from './reply-codec.js';
export type { WireReply, StreamFrame, DecodeContext, HealthValue } from './reply-codec.js';
export { encodeChunkLine, decodeChunkLine, streamLines, pureChunkBase64 } from './chunk-codec.js';
export type { ChunkBase64 } from './chunk-codec.js';
export { serveRequest } from './serve.js';
export type { Served, ServeOptions } from './serve.js';
export { requestParseError, errorFromWireText, errorToWireText, protocolError, connectError, wireErrorKind } from './wire-errors.js';
export type { WireErrorKind } from './wire-errors.js';
export { MUX_HELLO, MUX_ACK, MULTIPLEX_VERSION, decodeMuxClientLine, encodeMuxRequest, encodeMuxCancel, encodeMuxReply, encodeMuxFrame, decodeMuxServerLine } from './multiplex.js';
export type { MuxClientMessage } from './multiplex.js';
