/**
 * aivault core: the pure, transport-agnostic library.
 * Transport authors import only from this barrel.
 */

// --- for applications ---
export { BrokerError, renderErrorText, isBrokerError } from './broker-error.js';
export { ERROR_CODES } from './error-codes.js';

export type { ErrorCode, BrokerErrorCode } from './error-codes.js';
export type { BrokerErrorOptions } from './broker-error.js';
export type { Envelope, EnvelopeRequest, BrokerResult, BrokerResponse, CallContext } from './broker/types.js';
export type { Transport, InvokeRequest, CallOptions } from './transport.js';
export type { Vault, VaultStatus, SecretMetadata, Scope, AuditEvent, VaultPaths } from './vault/types.js';
export type { Capability, AuthStrategy, CapabilityPolicy, StoredCredential, ProviderTemplate } from './registry/types.js';

// --- for transport authors ---
export { isBlockedAddress, isBlockedHost, SSRF_BLOCKED_MESSAGE } from './broker/ssrf.js';
export type { FsPort, Clock, EnvMap, CryptoPort, UpstreamPort, UpstreamRequest, UpstreamResponse } from './ports.js';
