/**
 * Errors as the wire carries them: text only (`<PascalCase>: <message>` or a bare message),
 * classified back into a `BrokerError` on the client so that `renderErrorText` reproduces the
 * daemon's text byte for byte.
 *
 * @see ../../../shared/spec/daemon.md §5.3, §5.7
 */
import { BrokerError, renderErrorText } from '../broker-error.js';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';

/** Where a client-side failure came from; the CLI's fallback rules (daemon.md §6.3) depend on it. */
export type WireErrorKind = 'connect' | 'protocol' | 'remote';

/** `invalid request JSON: <detail>`: the daemon could not parse a request. Rendered bare. */
export function requestParseError(detail: string): BrokerError {
  return new BrokerError({ code: 'daemon_error', message: `invalid request JSON: ${detail}`, details: { kind: 'request' } });
}

/** Renders anything thrown by a handler as wire text; unknown errors never leak their text. */
export function errorToWireText(error: unknown): string {
  return renderErrorText(BrokerError.from(error));
}

const PASCAL_TO_CODE: ReadonlyMap<string, ErrorCode> = new Map(
  Object.entries(ERROR_CODES).flatMap(([code, info]) => (info.pascal === null ? [] : [[info.pascal, code as ErrorCode] as const])),
);

const PLAIN_MESSAGES: ReadonlyMap<string, ErrorCode> = new Map<string, ErrorCode>([
  ['vault locked', 'vault_locked'],
  ['secret not accessible', 'secret_not_accessible'],
]);

/**
 * A remote error (an `ok:false` reply or an `error` frame) as a `BrokerError` marked `fromWire`.
 * `renderErrorText(result) === text` always holds. An empty text becomes "unknown aivaultd error".
 */
export function errorFromWireText(text: string | null | undefined, details: Record<string, unknown> = {}): BrokerError {
  const message = text === null || text === undefined || text === '' ? 'unknown aivaultd error' : text;
  const all = { kind: 'remote' satisfies WireErrorKind, ...details };
  const colon = message.indexOf(': ');
  if (colon > 0) {
    const code = PASCAL_TO_CODE.get(message.slice(0, colon));
    if (code !== undefined) return new BrokerError({ code, message: message.slice(colon + 2), details: all, fromWire: true });
  }
  const plain = PLAIN_MESSAGES.get(message) ?? 'daemon_error';
  return new BrokerError({ code: plain, message, details: all, fromWire: true });
}

/** "invalid response from aivaultd at '<socket>': <detail>" (or the streaming variant). */
export function protocolError(socket: string, detail: string, stream: boolean): BrokerError {
  const what = stream ? 'invalid streaming response' : 'invalid response';
  return new BrokerError({
    code: 'daemon_error',
    message: `${what} from aivaultd at '${socket}': ${detail}`,
    details: { kind: 'protocol' satisfies WireErrorKind, socket },
    fromWire: true,
  });
}

/** "failed connecting to aivaultd at '<socket>': <reason>"; the CLI may rewrap from `details`. */
export function connectError(socket: string, reason: string, errno?: string): BrokerError {
  return new BrokerError({
    code: 'daemon_error',
    message: `failed connecting to aivaultd at '${socket}': ${reason}`,
    details: { kind: 'connect' satisfies WireErrorKind, socket, reason, ...(errno === undefined ? {} : { errno }) },
  });
}

/** The kind of a client-side wire failure, or `undefined` for errors that did not come from a transport. */
export function wireErrorKind(error: unknown): WireErrorKind | undefined {
  if (!(error instanceof BrokerError)) return undefined;
  const kind = error.details?.['kind'];
  return kind === 'connect' || kind === 'protocol' || kind === 'remote' ? kind : undefined;
}
