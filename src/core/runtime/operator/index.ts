/**
 * The operator API used by the CLI: pure functions over the vault and the stores, returning plain data.
 *
 * @see ../../../../../shared/spec/cli.md §5-§6, §9-§10
 */
export { operatorError, type OperatorDeps } from './operator-deps.js';
export { createCredential, listCredentials, deleteCredential, type CreateCredentialInput, type CredentialList } from './credentials.js';
export { createCapability, deleteCapability, setCapabilityPolicy, type CreateCapabilityInput, type SetPolicyInput } from './capabilities.js';
export { bindCapability, unbindCapability, listBindings, type BindInput, type BindingsFilter } from './bindings.js';
export { listCapabilities, setupCommands, type CapabilityListing, type AvailableProviderGroup } from './list-capabilities.js';
export { describeCapability } from './describe-capability.js';
export { oauthSetup, percentEncode, type OAuthSetupInput, type OAuthSetupResult } from './oauth-setup.js';
export { listProviders, type ProviderPluginStatus } from './providers.js';
