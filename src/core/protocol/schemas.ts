/**
 * Superstruct schemas for everything that crosses the daemon socket. Requests follow the
 * original's lenience exactly: unknown top-level keys are ignored, unknown envelope keys are
 * rejected, `null` means absent, header items ignore extra keys.
 *
 * Built on first use, not at import: the thin CLI bundles this module and most of its commands
 * never validate a reply.
 *
 * @see ../../../shared/spec/daemon.md §5.2-§5.5, broker.md §3.1-§3.2
 */
import {
  array,
  boolean,
  integer,
  literal,
  min,
  nullable,
  number,
  optional,
  string,
  type,
  union,
  unknown,
} from 'superstruct';
import { envelopeShapes } from '../broker/envelope-schema.js';

/** Every `op` the daemon understands. `multiplex` is ours (see `multiplex.ts`). */
export const WIRE_OPS = ['execute_envelope', 'execute_envelope_stream', 'unlock', 'lock', 'status', 'multiplex'] as const;
export type WireOp = (typeof WIRE_OPS)[number];

function buildWireSchemas() {
  const WireHeaderItem = type({ name: string(), value: string() });
  return {
    WireHead: type({ op: string() }),
    WireExecuteRequest: type({
      op: string(),
      envelope: envelopeShapes().EnvelopeShape,
      client_ip: string(),
      timeoutMs: optional(nullable(min(integer(), 0))),
      workspace_id: optional(nullable(string())),
      group_id: optional(nullable(string())),
    }),
    WireUnlockRequest: type({ op: literal('unlock'), key: string() }),
    WireBareRequest: type({ op: string() }),
    WireMultiplexRequest: type({ op: literal('multiplex'), version: optional(nullable(number())) }),
    /** A reply as the client reads it; key-presence rules are checked after validation. */
    WireReplyShape: type({ ok: boolean(), value: optional(unknown()), error: optional(nullable(string())) }),
    WireStreamFrame: union([
      type({ type: literal('chunk'), bodyB64: string() }),
      type({ type: literal('error'), error: optional(nullable(string())) }),
      type({ type: literal('end') }),
    ]),
    WireBrokerResult: type({
      planned: type({ capability: string(), credential: string(), method: string(), url: string() }),
      response: type({
        status: integer(),
        headers: array(WireHeaderItem),
        bodyUtf8: nullable(string()),
        bodyB64: string(),
      }),
    }),
    WireDaemonStatus: type({ locked: boolean() }),
    WireHealth: type({ ok: literal(true), capability: string() }),
  };
}

export type WireSchemas = ReturnType<typeof buildWireSchemas>;

let built: WireSchemas | undefined;

/** The socket's schemas, built once on first use. */
export function wireSchemas(): WireSchemas {
  return (built ??= buildWireSchemas());
}
