/**
 * The command tree of `aivault` as data: flags, positionals and one-line summaries. Pure data so
 * that help and parsing never load a command's implementation.
 *
 * @see ../../../shared/spec/cli.md §2
 */
import type { CommandSpec, FlagSpec } from './args.js';

const s = (help: string, value = 'VALUE'): FlagSpec => ({ type: 'string', value, help });
const many = (help: string, value = 'VALUE'): FlagSpec => ({ type: 'string', multiple: true, value, help });
const b = (help: string): FlagSpec => ({ type: 'boolean', help });
const verbose: FlagSpec = { type: 'boolean', short: 'v', help: 'print full JSON instead of the human layout' };

const scopeFlags = {
  scope: s('secret scope: global, workspace or group', 'SCOPE'),
  'workspace-id': s('workspace id (workspace and group scopes)', 'ID'),
  'group-id': s('group id (group scope)', 'ID'),
};

const valueFlags = {
  value: s("secret value; '-' reads it from stdin (keeps it out of shell history)", 'VALUE'),
  'value-file': s('read the secret value from a file (raw bytes, untrimmed)', 'PATH'),
};

/** Flags shared by every invocation command (cli.md §7.1). */
export const INVOKE_FLAGS: Record<string, FlagSpec> = {
  method: s('HTTP method (defaulted when the capability allows exactly one)', 'METHOD'),
  path: s('request path, may include ?query (defaulted to the single allowed prefix)', 'PATH'),
  header: many("extra request header, 'NAME=VALUE' or 'Name: value' (repeatable)", 'HEADER'),
  body: s('request body text', 'TEXT'),
  'body-file-path': s('request body read from a file by the executing process', 'PATH'),
  'multipart-field': many('multipart text field KEY=VALUE (repeatable)', 'KEY=VALUE'),
  'multipart-file': many('multipart file part FIELD=PATH (repeatable)', 'FIELD=PATH'),
  request: s('full request object or envelope as JSON', 'JSON'),
  'request-file': s('same as --request, read from a file', 'PATH'),
  credential: s('pin the credential id', 'ID'),
  'workspace-id': s('workspace execution context', 'ID'),
  'group-id': s('group execution context (requires --workspace-id)', 'ID'),
  'client-ip': s('caller IP for policy (default 127.0.0.1)', 'IP'),
  'timeout-ms': s('whole-request upstream timeout in milliseconds', 'N'),
  stream: b('raw invoke only: stream the body as it arrives'),
};

/** Extra flags of the markdown output mode (cli.md §8). */
export const MARKDOWN_FLAGS: Record<string, FlagSpec> = {
  namespace: s('wrap the output in <begin NS> … </end NS>', 'NS'),
  'exclude-field': many('drop this field at every depth (repeatable)', 'FIELD'),
  'wrap-field': many('wrap this string field in <begin F> … </end F> (repeatable)', 'FIELD'),
};

const invoke = (path: string, summary: string, markdown = false): CommandSpec => ({
  path,
  summary,
  flags: markdown ? { ...INVOKE_FLAGS, ...MARKDOWN_FLAGS } : INVOKE_FLAGS,
  positionals: [{ name: 'ID', required: true, help: 'capability id' }],
});

const idArg = (help: string) => [{ name: 'ID', required: true, help }];

/** Every leaf command by its full path (aliases resolved by `COMMAND_ALIASES`). */
export const COMMAND_SPECS: Record<string, CommandSpec> = {
  status: { path: 'status', summary: 'Show the vault status', flags: { verbose } },
  init: {
    path: 'init',
    summary: 'Create the vault with a key provider',
    flags: {
      provider: s('key provider: macos-keychain, env, file or passphrase (default file on Linux)', 'PROVIDER'),
      'env-var': s('env provider variable (default AIVAULT_KEY)', 'NAME'),
      'file-path': s('file provider key path', 'PATH'),
      'keychain-service': s('keychain service (default aivault)', 'S'),
      'keychain-account': s('keychain account (default kek)', 'A'),
      passphrase: s('passphrase (else AIVAULT_PASSPHRASE or a prompt)', 'P'),
    },
  },
  unlock: {
    path: 'unlock',
    summary: 'Unlock a passphrase vault in the daemon',
    flags: { passphrase: s('passphrase (else AIVAULT_PASSPHRASE or a prompt without echo)', 'P') },
  },
  lock: { path: 'lock', summary: 'Make the daemon forget the passphrase key', flags: {} },
  'rotate-master': {
    path: 'rotate-master',
    summary: 'Rotate the master key (KEK) and re-wrap every secret',
    flags: { 'new-key': s('new key (env/file providers)', 'K'), 'new-passphrase': s('new passphrase (passphrase provider)', 'P') },
  },
  audit: {
    path: 'audit',
    summary: 'Print audit events, newest first',
    flags: { limit: s('maximum number of events (default 200)', 'N'), 'before-ts-ms': s('only events before this time (ms)', 'T') },
  },
  'secrets list': { path: 'secrets list', summary: 'List secrets (metadata only)', flags: { ...scopeFlags, verbose } },
  'secrets create': {
    path: 'secrets create',
    summary: 'Create a secret',
    flags: { name: s('secret name', 'NAME'), ...valueFlags, ...scopeFlags, alias: many('alias (repeatable)', 'ALIAS') },
  },
  'secrets update': {
    path: 'secrets update',
    summary: "Rename a secret or change its aliases",
    flags: { id: s('secret id', 'ID'), name: s('new name', 'NAME'), alias: many('replace the aliases (repeatable)', 'ALIAS'), 'clear-aliases': b('remove every alias') },
  },
  'secrets rotate': { path: 'secrets rotate', summary: "Replace a secret's value", flags: { id: s('secret id', 'ID'), ...valueFlags } },
  'secrets delete': { path: 'secrets delete', summary: 'Revoke a secret', flags: { id: s('secret id', 'ID') } },
  'secrets attach-group': {
    path: 'secrets attach-group',
    summary: 'Make a secret readable in a group context',
    flags: { id: s('secret id', 'ID'), 'workspace-id': s('workspace id', 'ID'), 'group-id': s('group id', 'ID') },
  },
  'secrets detach-group': {
    path: 'secrets detach-group',
    summary: 'Remove a group attachment',
    flags: { id: s('secret id', 'ID'), 'workspace-id': s('workspace id', 'ID'), 'group-id': s('group id', 'ID') },
  },
  'secrets import': {
    path: 'secrets import',
    summary: 'Create or rotate several secrets from KEY=VALUE entries',
    flags: { entry: many('KEY=VALUE (repeatable)', 'KEY=VALUE'), ...scopeFlags },
  },
  'credential create': {
    path: 'credential create',
    summary: 'Store a credential (auth strategy + hosts + secret)',
    positionals: idArg('credential id'),
    flags: {
      provider: s('provider id', 'P'),
      'secret-ref': s('vault:secret:<id>', 'REF'),
      'workspace-id': s('restrict to a workspace', 'ID'),
      'group-id': s('restrict to a group', 'ID'),
      auth: s('header, path, query, multi-header, basic, oauth2, aws-sigv4, hmac or mtls', 'KIND'),
      host: many('credential host (repeatable)', 'HOST'),
      'header-name': s('header / hmac header name', 'NAME'),
      'value-template': s('header / hmac value template', 'T'),
      'query-param': s('query parameter (default api_key)', 'NAME'),
      'path-prefix-template': s('path template (default /bot{{secret}})', 'T'),
      'auth-header': many('multi-header entry NAME=TEMPLATE (repeatable)', 'NAME=TEMPLATE'),
      'grant-type': s('oauth2 grant (default refresh_token)', 'G'),
      'token-endpoint': s('oauth2 token URL', 'URL'),
      scope: many('oauth2 scope (repeatable)', 'S'),
      'aws-service': s('SigV4 service (default s3)', 'S'),
      'aws-region': s('SigV4 region (default us-east-1)', 'R'),
      'hmac-algorithm': s('sha256, sha384 or sha512 (default sha256)', 'A'),
      'hmac-encoding': s('hex or base64 (default hex)', 'E'),
      'max-policy-mode': s('read-only, write or admin (postgres only)', 'MODE'),
    },
  },
  'credential list': { path: 'credential list', summary: 'List credentials', flags: { verbose } },
  'credential delete': { path: 'credential delete', summary: 'Delete a stored credential', positionals: idArg('credential id'), flags: {} },
  'capability list': { path: 'capability list', summary: 'List ready and available capabilities', flags: { verbose } },
  'capability describe': {
    path: 'capability describe',
    summary: 'Explain how to call a capability',
    positionals: idArg('capability id'),
    flags: {},
  },
  'capability create': {
    path: 'capability create',
    summary: 'Store a custom capability',
    positionals: idArg('capability id'),
    flags: {
      provider: s('provider id', 'P'),
      credential: s('take provider and hosts from this credential', 'C'),
      method: many('allowed method (repeatable)', 'M'),
      path: many('allowed path prefix (repeatable)', 'P'),
      host: many('allowed host (repeatable)', 'H'),
    },
  },
  'capability delete': { path: 'capability delete', summary: 'Delete a stored capability and its policy', positionals: idArg('capability id'), flags: {} },
  'capability policy set': {
    path: 'capability policy set',
    summary: "Replace a capability's policy",
    flags: {
      capability: s('capability id', 'ID'),
      'rate-limit-per-minute': s('requests per clock minute', 'N'),
      'max-request-body-bytes': s('request body limit', 'N'),
      'max-response-body-bytes': s('response body limit', 'N'),
      'response-block': many('text redacted from responses (repeatable)', 'TEXT'),
    },
  },
  'capability bind': {
    path: 'capability bind',
    summary: 'Bind a secret to a capability',
    flags: { capability: s('capability id', 'ID'), 'secret-ref': s('vault:secret:<id>', 'REF'), ...scopeFlags, consumer: s('consumer', 'X') },
  },
  'capability unbind': {
    path: 'capability unbind',
    summary: 'Remove a binding',
    flags: { capability: s('capability id', 'ID'), ...scopeFlags, consumer: s('consumer', 'X') },
  },
  'capability bindings': {
    path: 'capability bindings',
    summary: 'List bindings',
    flags: { capability: s('capability id', 'ID'), ...scopeFlags, consumer: s('consumer', 'X'), verbose },
  },
  'capability invoke': invoke('capability invoke', 'Invoke a capability (operator mode), raw body'),
  'capability json': invoke('capability json', 'Invoke a capability (operator mode), JSON result'),
  'capability markdown': invoke('capability markdown', 'Invoke a capability (operator mode), markdown', true),
  invoke: invoke('invoke', 'Invoke a capability and print the raw upstream body'),
  json: invoke('json', 'Invoke a capability and print {planned, response} JSON'),
  markdown: invoke('markdown', 'Invoke a capability and print the body as markdown', true),
  'oauth setup': {
    path: 'oauth setup',
    summary: 'Build an OAuth consent URL',
    flags: {
      provider: s('provider id', 'P'),
      'auth-url': s('authorization endpoint', 'URL'),
      'client-id': s('OAuth client id', 'ID'),
      'redirect-uri': s('redirect URI', 'URI'),
      scope: many('scope (repeatable)', 'S'),
      state: s('state value', 'X'),
    },
  },
  'provider list': { path: 'provider list', summary: 'List official provider plugins', flags: { verbose } },
  'provider install': {
    path: 'provider install',
    summary: 'Install an official provider plugin',
    positionals: idArg('provider id'),
    flags: { from: s('plugin binary', 'PATH'), enable: b('enable after install') },
  },
  'provider enable': { path: 'provider enable', summary: 'Enable an installed plugin', positionals: idArg('provider id'), flags: {} },
  'provider disable': { path: 'provider disable', summary: 'Disable an installed plugin', positionals: idArg('provider id'), flags: {} },
  'provider remove': { path: 'provider remove', summary: 'Remove a plugin', positionals: idArg('provider id'), flags: {} },
  'setup agent-access': {
    path: 'setup agent-access',
    summary: 'Let another OS user reach a shared daemon (Linux, root)',
    flags: { 'agent-user': s('agent account', 'U'), 'daemon-user': s('daemon account (default $SUDO_USER)', 'D'), 'dry-run': b('print the commands instead of running them') },
  },
  'setup launchd': { path: 'setup launchd', summary: 'Install a launchd agent (macOS only)', flags: { 'dry-run': b('print instead of writing') } },
  'setup systemd': {
    path: 'setup systemd',
    summary: 'Install a systemd unit for the shared daemon (Linux, root)',
    flags: { 'daemon-user': s('account the daemon runs as', 'D'), 'dry-run': b('print instead of writing') },
  },
  restart: { path: 'restart', summary: 'Restart the per-user daemon', flags: {} },
};

/** Aliases: `md` → `markdown`, `call` → `invoke`, `args|shape|inspect` → `describe`. */
export const COMMAND_ALIASES: Record<string, string> = {
  md: 'markdown',
  'capability call': 'capability invoke',
  'capability md': 'capability markdown',
  'capability args': 'capability describe',
  'capability shape': 'capability describe',
  'capability inspect': 'capability describe',
};

/** Groups that only hold subcommands, with a summary for top-level help. */
export const COMMAND_GROUPS: Record<string, string> = {
  secrets: 'Manage secrets (list, create, update, rotate, delete, attach-group, detach-group, import)',
  credential: 'Manage credentials (create, list, delete)',
  capability: 'Manage and invoke capabilities',
  'capability policy': 'Set capability policies',
  oauth: 'OAuth helpers (setup)',
  provider: 'Provider plugins (list, install, enable, disable, remove)',
  setup: 'Shared-daemon helpers (agent-access, systemd)',
};
