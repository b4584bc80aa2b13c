/**
 * `aivault credential create | list | delete` over the registry engineer's operator API.
 *
 * @see ../../../../shared/spec/cli.md §5
 */
import { parseAuthType } from '../../core/registry/auth-strategy.js';
import { storedCredentialJson } from '../../core/registry/broker-store.js';
import type { AuthStrategy, MaxPolicyMode } from '../../core/registry/types.js';
import { createCredential, deleteCredential, listCredentials } from '../../core/runtime/operator/index.js';
import { parseEnumFlag, type ParsedArgs } from '../args.js';
import { inputError } from '../errors.js';
import { requireFlag } from '../flag-helpers.js';
import { renderCredentialList } from '../format/operator.js';
import type { CommandHandler } from '../run-aivault.js';
import { operatorDeps } from '../wiring.js';

const AUTH_KINDS = ['header', 'path', 'query', 'multi-header', 'basic', 'oauth2', 'o-auth2', 'aws-sigv4', 'hmac', 'mtls'] as const;
const POLICY_MODES: Record<string, MaxPolicyMode> = { 'read-only': 'read-only', readonly: 'read-only', read_only: 'read-only', write: 'write', admin: 'admin' };

export const CREDENTIAL_COMMANDS: Record<string, CommandHandler> = {
  async create(args, ctx) {
    const auth = args.has('auth') ? authFromFlags(args) : undefined;
    const modeRaw = args.string('max-policy-mode');
    const maxPolicyMode = modeRaw === undefined ? undefined : POLICY_MODES[parseEnumFlag(modeRaw, 'max-policy-mode', Object.keys(POLICY_MODES), 'credential create')]!;
    // Both flags are required (clap `String` fields): missing → usage error; blank → the operator rule.
    const provider = requireFlag(args, 'provider', 'credential create');
    const secretRef = requireFlag(args, 'secret-ref', 'credential create');
    const deps = await operatorDeps(ctx);
    const stored = await createCredential(deps, {
      id: args.positionals[0]!,
      provider,
      secretRef,
      workspaceId: args.string('workspace-id') ?? null,
      groupId: args.string('group-id') ?? null,
      ...(auth === undefined ? {} : { auth }),
      hosts: args.strings('host'),
      ...(maxPolicyMode === undefined ? {} : { maxPolicyMode }),
    });
    await ctx.json(stored);
  },

  async list(args, ctx) {
    const list = await listCredentials(await operatorDeps(ctx));
    for (const problem of list.problems) await ctx.err(`warning: ${problem}\n`);
    if (args.flag('verbose')) await ctx.json({ credentials: list.credentials.map(storedCredentialJson), path: list.path });
    else await ctx.out(renderCredentialList(list.credentials, ctx.colors));
  },

  async delete(args, ctx) {
    await ctx.json(await deleteCredential(await operatorDeps(ctx), args.positionals[0]!));
  },
};

// --- internal ---

/** `--auth KIND` plus the flags relevant to that kind (irrelevant flags are ignored). */
function authFromFlags(args: ParsedArgs): AuthStrategy {
  const kind = parseEnumFlag(args.string('auth')!, 'auth', AUTH_KINDS, 'credential create');
  const auth = parseAuthType(kind);
  const s = (name: string) => args.string(name);
  if (typeof auth === 'string') return auth;
  if ('header' in auth) return { header: { header_name: s('header-name') ?? auth.header.header_name, value_template: s('value-template') ?? auth.header.value_template } };
  if ('path' in auth) return { path: { prefix_template: s('path-prefix-template') ?? auth.path.prefix_template } };
  if ('query' in auth) return { query: { param_name: s('query-param') ?? auth.query.param_name } };
  if ('multi_header' in auth) {
    return {
      multi_header: args.strings('auth-header').map((raw) => {
        const at = raw.indexOf('=');
        if (at < 0 || raw.slice(0, at).trim() === '') throw inputError(`invalid --auth-header '${raw}'; expected KEY=VALUE`);
        return { header_name: raw.slice(0, at).trim(), value_template: raw.slice(at + 1) };
      }),
    };
  }
  if ('o_auth2' in auth) {
    return { o_auth2: { grant_type: s('grant-type') ?? auth.o_auth2.grant_type, token_endpoint: s('token-endpoint') ?? auth.o_auth2.token_endpoint, scopes: args.strings('scope') } };
  }
  if ('aws_sig_v4' in auth) return { aws_sig_v4: { service: s('aws-service') ?? auth.aws_sig_v4.service, region: s('aws-region') ?? auth.aws_sig_v4.region } };
  if ('hmac' in auth) {
    const encoding = s('hmac-encoding');
    return {
      hmac: {
        algorithm: s('hmac-algorithm') ?? auth.hmac.algorithm,
        header_name: s('header-name') ?? auth.hmac.header_name,
        value_template: s('value-template') ?? auth.hmac.value_template,
        ...(encoding === undefined ? {} : { encoding: parseEnumFlag(encoding, 'hmac-encoding', ['hex', 'base64'] as const, 'credential create') }),
      },
    };
  }
  return auth;
}
