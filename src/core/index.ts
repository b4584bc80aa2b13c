/**
 * aivault core: the pure, transport-agnostic library.
 * Transport authors import only from this barrel.
 */

// --- for applications ---
export { BrokerError, renderErrorText, isBrokerError } from './broker-error.js';
export { ERROR_CODES } from './error-codes.js';

export type { ErrorCode, BrokerErrorCode } from './error-codes.js';
export type { BrokerErrorOptions } from './broker-error.js';
export { conformanceLevels, type ConformanceLevels } from './broker/conformance.js';
export type { Envelope, EnvelopeRequest, EnvelopeHeader, BrokerResult, BrokerResponse, CallContext, PlannedSummary, ResponseHeader } from './broker/types.js';
export { createBroker } from './broker/create-broker.js';
export { createBrokerService, createBrokerServices } from './create-broker-service.js';
export type { BrokerServiceOptions, BrokerServicesOptions, BrokerServices, ProxyServiceConfig } from './create-broker-service.js';

// --- proxy tokens, envelope/passthrough/WebSocket operations for network transports (Decision 15) ---
export { createProxyService } from './proxy/create-proxy-service.js';
export { createProxyTokenStore, PROXY_TOKEN_PREFIX } from './proxy/token-store.js';
export type { ProxyTokenStore, ProxyTokenStoreOptions } from './proxy/token-store.js';
export { parseMintRequest } from './proxy/mint-schema.js';
export type { MintRequest } from './proxy/mint-schema.js';
export { parseRoute } from './proxy/passthrough-route.js';
export type { PassthroughRoute } from './proxy/passthrough-route.js';
export { callerEnv } from './proxy/caller-env.js';
export type { CallerEnv } from './proxy/caller-env.js';
export { httpStatusOf, retryAfterSeconds, RATE_LIMIT_MESSAGE } from './error-codes.js';
export type {
  CallerAuth,
  EnvelopeReader,
  PassthroughRequest,
  PassthroughResponse,
  ProxyService,
  ProxyTokenRecord,
  WebSocketPlan,
} from './proxy/types.js';
export { resolveBrokerOptions } from './broker/options.js';
export type { BrokerOptions, BrokerPolicyOptions, ResolvedBrokerOptions, TimerPort } from './broker/options.js';
export { createRateLimiter } from './broker/rate-limiter.js';
export type { RateLimiter, RateLimiterOptions } from './broker/rate-limiter.js';
export { parseEnvelope, parseEnvelopeJson } from './broker/envelope-schema.js';
export { toResult } from './broker/to-result.js';
export { validateRedirectHop } from './broker/target-rules.js';
export { hmacCanonicalInput } from './broker/hmac.js';
export type { Transport, InvokeRequest, CallOptions } from './transport.js';
export type { Vault, VaultStatus, SecretMetadata, Scope, AuditEvent, VaultPaths } from './vault/types.js';
export type { Capability, AuthStrategy, CapabilityPolicy, StoredCredential, ProviderTemplate } from './registry/types.js';

// --- for transport authors ---
export { isBlockedAddress, isBlockedHost, SSRF_BLOCKED_MESSAGE } from './broker/ssrf.js';
export type { FsPort, Clock, EnvMap, CryptoPort, UpstreamPort, UpstreamRequest, UpstreamResponse } from './ports.js';
export { isTruthy } from './env-flags.js';
export { osHomeFor, resolveHomeDir } from './home-dir.js';
export { knownOsErrorText } from './os-error-text.js';

// --- wire protocol and client (also reachable alone through ./protocol/index.ts) ---
export {
  createClient,
  createCodecTransport,
  DEFAULT_READ_MAX_BYTES,
  jsonEncoder,
  encodeLine,
  formatByteLimit,
  createRequestReader,
  createLineSplitter,
  LineTooLongError,
  decodeRequest,
  parseRequestValue,
  executeRequestValue,
  encodeExecuteRequest,
  controlRequestValue,
  healthRequest,
  HEALTH_CAPABILITY,
  encodeReply,
  okReply,
  errorReply,
  decodeReplyValue,
  replyValue,
  encodeStreamFrame,
  streamFrames,
  decodeStreamLine,
  streamFrameValue,
  streamEndedEarly,
  decodeBrokerResult,
  serveRequest,
  requestParseError,
  errorFromWireText,
  errorToWireText,
  protocolError,
  connectError,
  wireErrorKind,
  MUX_HELLO,
  MUX_ACK,
  MULTIPLEX_VERSION,
  decodeMuxClientLine,
  encodeMuxRequest,
  encodeMuxCancel,
  encodeMuxReply,
  encodeMuxFrame,
  decodeMuxServerLine,
} from './protocol/index.js';
export type {
  Client,
  ClientOptions,
  ClientCallOptions,
  JsonResult,
  ControlTransport,
  TransportStatus,
  BrokerService,
  DaemonStatus,
  WirePipe,
  Encoder,
  RequestReader,
  LineSplitter,
  WireRequest,
  ExecuteWireRequest,
  WireReply,
  StreamFrame,
  DecodeContext,
  HealthValue,
  Served,
  ServeOptions,
  WireErrorKind,
  MuxClientMessage,
} from './protocol/index.js';

// --- registry, runtime state and operator API (registry engineer) ---
export { builtinRegistry, createRegistry, parseRegistryJson } from './registry/registry.js';
export type { Registry, RegistrySource } from './registry/registry.js';
export { CAPABILITY_SHAPES, capabilityShape } from './registry/capability-shapes.js';
export type { CapabilityShape } from './registry/capability-shapes.js';
export { hostMatches, matchesAnyHost, normalizeHosts, validateHostPattern } from './registry/host-pattern.js';
export { AuthStrategySchema, authKindOf, authDisplayName, parseAuthType, validateAuthStrategy } from './registry/auth-strategy.js';
export { validateCapability } from './registry/capability.js';
export { validateCredentialSpec, normalizeUpstreamPathPrefix } from './registry/credential.js';
export { createBrokerStore, formatBrokerStateProblem } from './registry/broker-store.js';
export type { BrokerStore, BrokerStoreOptions, LoadedBrokerState, BrokerStateProblem } from './registry/broker-store.js';
export { createBindingsStore, toBindingScope, resolveBinding } from './registry/bindings-store.js';
export type { BindingsStore, BindingsStoreOptions, BindingScopeInput } from './registry/bindings-store.js';
export { provisionForSecret } from './registry/provisioning.js';
export type { ProvisionOptions, ProvisionResult } from './registry/provisioning.js';
export { deriveRegistryCredentials } from './registry/derive.js';
export { parseSecretRef } from './registry/secret-ref.js';
export { createRuntimeState } from './runtime/create-runtime-state.js';
export type { CreateRuntimeStateOptions, LoadedRuntimeState } from './runtime/create-runtime-state.js';
export {
  createCredential,
  listCredentials,
  deleteCredential,
  createCapability,
  deleteCapability,
  setCapabilityPolicy,
  bindCapability,
  unbindCapability,
  listBindings,
  listCapabilities,
  describeCapability,
  oauthSetup,
  listProviders,
} from './runtime/operator/index.js';
export type { OperatorDeps, CreateCredentialInput, CredentialList, CreateCapabilityInput, SetPolicyInput, BindInput, BindingsFilter, CapabilityListing, OAuthSetupResult } from './runtime/operator/index.js';
export type { BindingScope, CapabilityBinding } from './registry/types.js';

// --- vault (vault engineer) ---
export { createVault } from './vault/create-vault.js';
export type { VaultOptions } from './vault/create-vault.js';
export { resolveVaultRoot, vaultPathsFor } from './vault/vault-paths.js';
export type { ResolvedVaultRoot } from './vault/vault-paths.js';
export { AUDIT_BATCH_MS, createAuditLog, diskLogsDisabled, serialiseAuditEvent } from './vault/audit-log.js';
export type { AuditBatching, AuditLog, AuditLogOptions } from './vault/audit-log.js';
export type { InitProvider, ResolveOptions, MutationOptions, KeyProviderType, KeyProviderConfig, GroupAttachment } from './vault/types.js';
