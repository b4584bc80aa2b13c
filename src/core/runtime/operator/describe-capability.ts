/**
 * `capability describe <ID>`: the capability's shape, setup and how to call it, as JSON.
 *
 * @see ../../../../../shared/spec/cli.md §6.2
 */
import type { Capability } from '../../registry/types.js';
import { setupCommands } from './list-capabilities.js';
import { operatorError, type OperatorDeps } from './operator-deps.js';

const OPTIONAL_FLAGS = [
  '--credential',
  '--header NAME=VALUE',
  '--body TEXT',
  '--body-file-path PATH',
  '--multipart-field KEY=VALUE',
  '--multipart-file FIELD=PATH',
  '--workspace-id ID',
  '--group-id ID',
  '--client-ip IP',
];

/**
 * Looks the id up in `broker.json`, then the registry (`capability '<ID>' not found`): a stored
 * copy of a registry id is what is described, as the invocation defaults use it (registry.md §12
 * Notes); only execution replaces it with the built-in definition.
 */
export async function describeCapability(deps: OperatorDeps, rawId: string): Promise<Record<string, unknown>> {
  const id = rawId.trim();
  const state = await deps.brokerStore.load();
  const capability = state.capabilities.find((c) => c.id === id) ?? deps.registry.capability(id);
  if (capability === undefined || id.length === 0) throw operatorError(`capability '${id}' not found`);
  return describeShape(deps, capability);
}

// --- internal ---

function describeShape(deps: OperatorDeps, capability: Capability): Record<string, unknown> {
  const { id, provider, allow } = capability;
  const template = deps.registry.provider(provider);
  const claims = template?.vaultSecrets ?? {};
  const commands = setupCommands(deps.registry, provider);
  const setup =
    commands.length === 0
      ? null
      : {
          requiredSecrets: { ...claims },
          commands,
          note: 'The credential and its capabilities appear automatically once all required secrets exist in the vault.',
        };
  const defaultMethod = allow.methods.length === 1 ? allow.methods[0]! : null;
  const defaultPath = allow.pathPrefixes.length === 1 ? allow.pathPrefixes[0]! : null;
  const methodHint = allow.methods.includes('POST') ? 'POST' : (allow.methods[0] ?? 'GET');
  const pathHint = allow.pathPrefixes[0] ?? '/';
  const method = defaultMethod ?? methodHint;
  const path = defaultPath ?? pathHint;
  const required = [...(defaultMethod === null ? ['--method'] : []), ...(defaultPath === null ? ['--path'] : [])];

  const minimal = `aivault invoke ${id}${defaultMethod === null ? ` --method ${methodHint}` : ''}${defaultPath === null ? ` --path ${pathHint}` : ''}`;
  const examples: Array<{ title: string; command: string }> = [{ title: 'Minimal invocation (add required flags)', command: minimal }];
  if (allow.methods.includes('POST')) {
    const postMethod = defaultMethod === 'POST' ? '' : ' --method POST';
    examples.push({
      title: 'JSON body example (when upstream expects JSON)',
      command: `aivault invoke ${id}${postMethod}${defaultPath === null ? ` --path ${pathHint}` : ''} --header content-type=application/json --body '{"todo":"fill"}'`,
    });
  }
  examples.push({ title: 'Inline request payload example', command: `aivault invoke ${id} --request '${JSON.stringify({ headers: [], method, path })}'` });

  const notes = [
    defaultMethod !== null ? `Method defaults to ${defaultMethod}.` : `Pass --method, one of: ${allow.methods.join(', ')}.`,
    defaultPath !== null ? `Path defaults to ${defaultPath}.` : `Pass --path starting with one of: ${allow.pathPrefixes.join(', ')}.`,
    'Alternatively pass the whole request with --request <json> or --request-file <path>.',
    'When several credentials exist for this provider, pass --credential <id> to choose one.',
  ];
  return {
    capability: id,
    provider,
    setup,
    allowed: { hosts: [...allow.hosts], methods: [...allow.methods], pathPrefixes: [...allow.pathPrefixes] },
    call: {
      requiredFlagsWhenNoRequestPayload: required,
      defaults: { method: defaultMethod, path: defaultPath },
      optionalFlags: [...OPTIONAL_FLAGS],
      payloadModes: ["--request '<json request or envelope>'", '--request-file <path>'],
      howTo: {
        notes,
        examples,
        templates: {
          request: { method, path, headers: [] },
          envelope: { capability: id, request: { method, path, headers: [] } },
        },
      },
    },
  };
}
