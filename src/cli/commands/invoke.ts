/**
 * `invoke` / `json` / `markdown` / `md` and `capability invoke|call|json|markdown|md`: pre-checks,
 * envelope building and routing (in-process, thin daemon attempt, local path with autostart).
 * Static imports are the thin path only; the vault and broker come in through `wiring.ts`.
 *
 * @see ../../../../shared/spec/cli.md §7, daemon.md §6
 */
import { isIP } from 'node:net';
import { BrokerError, renderErrorText } from '../../core/broker-error.js';
import type { InvokeRequest, Transport } from '../../core/transport.js';
import type { Vault } from '../../core/vault/types.js';
import { capabilityShape } from '../../core/registry/capability-shapes.js';
import { parseIntegerFlag, type ParsedArgs } from '../args.js';
import type { CliContext } from '../context.js';
import { inputError, osReason } from '../errors.js';
import { userPath } from '../flag-helpers.js';
import { buildEnvelope, hasManualRequestFlags, type CapabilityShapeLike, type InvokeFlagValues } from '../invoke/build-envelope.js';
import { localAttempt, shouldFallBack, thinAttempt, type Exchange, type RouteDeps } from '../invoke/daemon-route.js';
import { renderResult, type OutputMode } from '../invoke/render-result.js';
import { pathExists } from '../node-env.js';
import { writeOut } from '../output.js';
import type { CommandHandler } from '../run-aivault.js';
import { autostartEnabled, autostartOnce, isTruthy, type SocketChoice } from '../socket-paths.js';
import { connectSocket, sockets } from '../wiring.js';

export const runInvokeCommand: CommandHandler = async (args, ctx, command) => {
  const operator = command.startsWith('capability ');
  const leaf = command.split(' ').at(-1)!;
  const mode: OutputMode = leaf === 'json' ? 'json' : leaf === 'markdown' || leaf === 'md' ? 'markdown' : 'raw';
  const capability = args.positionals[0]!.trim();
  if (capability === '') throw inputError('capability id required');
  const streaming = args.flag('stream');
  // A bad number is a usage error of the command line itself (clap's), so it comes before every runtime check.
  const timeoutRaw = args.string('timeout-ms');
  const timeoutMs = timeoutRaw === undefined ? null : parseIntegerFlag(timeoutRaw, 'timeout-ms', 'u64', command);
  // Operator commands load the vault before doing anything (cli.md §1.7, §6.9): auto-init and migrations first.
  const vault = operator ? await (await import('../invoke/local-path.js')).openOperatorVault(ctx) : undefined;

  // Pre-checks, in the contract's order (cli.md §7.1).
  if (streaming && mode !== 'raw') throw inputError('--stream is only supported with raw `aivault invoke` output');
  const workspaceId = blankToNull(args.string('workspace-id'));
  const groupId = blankToNull(args.string('group-id'));
  if (groupId !== null && workspaceId === null) throw inputError('--workspace-id is required when --group-id is provided');
  const flags = await invokeFlags(args, ctx);
  const clientIpFlag = args.string('client-ip');
  const clientIp = clientIpFlag ?? '127.0.0.1';

  const request = (shape: CapabilityShapeLike | undefined): InvokeRequest => {
    const envelope = buildEnvelope(capability, flags, shape);
    // Only a given flag is checked: node's address parser costs a quarter millisecond on first use.
    if (clientIpFlag !== undefined && isIP(clientIp) === 0) throw inputError('invalid --client-ip');
    return { envelope, clientIp, timeoutMs, workspaceId, groupId };
  };
  const exchange = (req: InvokeRequest): Exchange<void> =>
    streaming ? (t) => streamTo(ctx, t, req) : async (t) => writeOut(ctx.io.stdout, renderResult(await invokeValue(t, req), mode, markdownOptions(args)));

  // Step 1: in-process (AIVAULTD_DISABLE).
  if (isTruthy(ctx.env.AIVAULTD_DISABLE)) {
    if (streaming) {
      throw inputError(operator ? 'streaming invoke requires aivaultd; AIVAULTD_DISABLE is set' : '--stream requires aivaultd; AIVAULTD_DISABLE cannot be used for streaming');
    }
    const { localShape, inprocTransport } = await import('../invoke/local-path.js');
    const req = request(await localShape(ctx, capability, vault));
    const transport = await inprocTransport(ctx);
    try {
      await exchange(req)(transport);
    } finally {
      await transport.close();
    }
    return;
  }

  const choice = sockets(ctx);
  const deps = routeDeps(ctx);
  if (operator) return runLocal(ctx, capability, request, exchange, choice, deps, vault);

  // Step 2: the thin attempt (registry shapes only, no local state).
  let thinError: unknown;
  try {
    const shape = capabilityShape(capability);
    if (flags.payload === undefined && shape === undefined && flags.method === undefined && flags.path === undefined) {
      throw inputError(`capability '${capability}' is not available locally; pass --method/--path or use --request/--request-file`);
    }
    const req = request(shape);
    await thinAttempt(choice, deps, exchange(req));
    return;
  } catch (error) {
    if (!shouldFallBack(error, choice)) throw error;
    thinError = error;
  }
  // Steps 4-5: the local path with autostart.
  try {
    await runLocal(ctx, capability, request, exchange, choice, deps);
  } catch (error) {
    const local = renderErrorText(BrokerError.from(error));
    const thin = renderErrorText(BrokerError.from(thinError));
    throw new BrokerError({ code: 'daemon_error', message: `${local}\n(thin client daemon attempt failed first: ${thin})` });
  }
};

// --- internal ---

async function runLocal(
  ctx: CliContext,
  capability: string,
  request: (shape: CapabilityShapeLike | undefined) => InvokeRequest,
  exchange: (req: InvokeRequest) => Exchange<void>,
  choice: SocketChoice,
  deps: RouteDeps,
  vault?: Vault,
): Promise<void> {
  const { localShape } = await import('../invoke/local-path.js');
  const req = request(await localShape(ctx, capability, vault));
  await localAttempt(choice, deps, exchange(req));
}

function routeDeps(ctx: CliContext): RouteDeps {
  return {
    connect: (path) => connectSocket(path),
    dirExists: (path) => pathExists(path),
    autostart: autostartEnabled(ctx.env),
    once: autostartOnce(ctx.env),
    spawnDaemon: async (path, once) => {
      const { daemonLogPath, locateDaemon, spawnDaemon } = await import('../invoke/spawn-daemon.js');
      return spawnDaemon({
        daemonPath: locateDaemon(ctx.io.scriptPath ?? process.argv[1], ctx.env),
        args: ['--socket', path, ...(once ? ['--once'] : [])],
        env: ctx.env,
        logPath: daemonLogPath(path),
        waitForExit: once,
      });
    },
  };
}

/** The daemon's result value; a malformed one is handed on as-is for `renderResult`'s checks (cli.md §7.6). */
async function invokeValue(transport: Transport, req: InvokeRequest): Promise<unknown> {
  try {
    return await transport.invoke(req);
  } catch (error) {
    if (error instanceof BrokerError && error.details !== undefined && 'resultValue' in error.details) return error.details['resultValue'];
    throw error;
  }
}

async function streamTo(ctx: CliContext, transport: Transport, req: InvokeRequest): Promise<void> {
  for await (const chunk of transport.stream(req)) await writeOut(ctx.io.stdout, chunk);
}

async function invokeFlags(args: ParsedArgs, ctx: CliContext): Promise<InvokeFlagValues> {
  const flags: InvokeFlagValues = {
    method: args.string('method'),
    path: args.string('path'),
    headers: args.strings('header'),
    body: args.string('body'),
    bodyFilePath: args.string('body-file-path'),
    multipartFields: args.strings('multipart-field'),
    multipartFiles: args.strings('multipart-file'),
    credential: args.string('credential'),
  };
  const inline = args.string('request');
  const file = args.string('request-file');
  if (inline !== undefined && file !== undefined) throw inputError('provide only one of --request or --request-file');
  if (inline === undefined && file === undefined) return flags;
  if (hasManualRequestFlags(flags)) throw inputError('do not mix --request/--request-file with manual request flags');
  if (inline !== undefined) return { ...flags, payload: inline };
  try {
    const { readFile } = await import('node:fs/promises');
    return { ...flags, payload: await readFile(userPath(ctx, file!), 'utf8') };
  } catch (error) {
    throw inputError(`failed to read --request-file '${file!}': ${osReason(error)}`);
  }
}

function markdownOptions(args: ParsedArgs) {
  const namespace = args.string('namespace');
  return { ...(namespace === undefined ? {} : { namespace }), excludeFields: args.strings('exclude-field'), wrapFields: args.strings('wrap-field') };
}

function blankToNull(value: string | undefined): string | null {
  const t = value?.trim();
  return t === undefined || t === '' ? null : t;
}
