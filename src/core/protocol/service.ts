/**
 * The service a daemon (or the in-process transport) serves: the broker's one entry point plus
 * the key operations of Decision 4/18. The integrator implements it over vault + registry +
 * broker; transports only translate wire frames to calls on it.
 *
 * @see ../../../shared/spec/daemon.md §5, spec/README.md Decisions 4 and 18
 */
import type { BrokerRequest, BrokerResponse, CallContext } from '../broker/types.js';

/** The daemon's lock state, the `value` of `unlock` / `lock` / `status` replies. */
export interface DaemonStatus {
  /** `true` when a passphrase vault has no key in memory. */
  locked: boolean;
}

export interface BrokerService {
  /** Runs one invocation. Throws `BrokerError`; transports turn it into a reply or error frame. */
  handle(request: BrokerRequest, ctx: CallContext): Promise<BrokerResponse>;
  /** Takes ownership of the derived key (checked against the vault's check record). */
  unlock(key: Uint8Array): Promise<DaemonStatus>;
  /** Drops the in-memory key. */
  lock(): Promise<DaemonStatus>;
  status(): Promise<DaemonStatus>;
}
