/**
 * `AIVAULT_DEV_*` overrides, read from the env only here (never in core) and honoured only when the
 * build-time dev gate is open (Decision 13). Gate closed: any of the six fail-closed variables set
 * fails with the release-build message; `--shared` refuses them whatever the gate.
 *
 * @see ../../shared/spec/security.md §9, spec/README.md Decisions 13, 16, 18
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { BrokerError, isTruthy, type EnvMap } from '../core/index.js';
import type { DevResolveTarget, UndiciUpstreamOptions } from './upstream-undici.js';

/** Checked when the broker is assembled. */
export const BROKER_DEV_VARS = ['AIVAULT_DEV_ALLOW_HTTP_LOCAL', 'AIVAULT_DEV_ALLOW_NON_DEFAULT_PORTS', 'AIVAULT_DEV_ALLOW_REMOTE_CLIENTS'] as const;
/** Checked when the upstream HTTP client is built (OAuth exchanges included). */
export const UPSTREAM_DEV_VARS = ['AIVAULT_DEV_HTTP1_ONLY', 'AIVAULT_DEV_CA_CERT_PATH', 'AIVAULT_DEV_RESOLVE'] as const;
export const FAIL_CLOSED_DEV_VARS = [...BROKER_DEV_VARS, ...UPSTREAM_DEV_VARS] as const;
/**
 * Refused by a daemon on the shared socket: the six fail-closed variables (security.md §9 item 3)
 * and, stricter than the spec, the two soft ones (a token endpoint override would send an agent's
 * OAuth refresh tokens elsewhere).
 */
const SHARED_REFUSED_DEV_VARS = [...FAIL_CLOSED_DEV_VARS, 'AIVAULT_DEV_FORCE_DEFAULT_FILE_PROVIDER', 'AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT'] as const;

/** Broker-side dev options (security.md §9 rows 1-3), mapped to broker configuration by the integrator. */
export interface BrokerDevOptions {
  allowHttpLocal: boolean;
  allowNonDefaultPorts: boolean;
  allowRemoteClients: boolean;
  /** `AIVAULT_DEV_FORCE_DEFAULT_FILE_PROVIDER` (silently ignored in release builds). */
  forceDefaultFileProvider: boolean;
  /** `AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT` (silently ignored in release builds). */
  codexOAuthTokenEndpoint: string | undefined;
}

const flag = (env: EnvMap, name: string) => isTruthy(env[name]);
const isSet = (env: EnvMap, name: string) => (env[name] ?? '') !== '';

/** `<VAR> is not allowed for aivaultd --shared` for the first refused dev variable that is set, whatever the gate. */
export function assertNoDevOverrides(env: EnvMap): void {
  const found = SHARED_REFUSED_DEV_VARS.find((name) => isSet(env, name));
  if (found !== undefined) throw new BrokerError({ code: 'daemon_error', message: `${found} is not allowed for aivaultd --shared` });
}

export function resolveBrokerDevOptions(env: EnvMap, devGate: boolean): BrokerDevOptions {
  if (!devGate) {
    assertGateClosedClean(env, BROKER_DEV_VARS);
    return { allowHttpLocal: false, allowNonDefaultPorts: false, allowRemoteClients: false, forceDefaultFileProvider: false, codexOAuthTokenEndpoint: undefined };
  }
  const endpoint = env['AIVAULT_DEV_CODEX_OAUTH_TOKEN_ENDPOINT']?.trim();
  return {
    allowHttpLocal: flag(env, 'AIVAULT_DEV_ALLOW_HTTP_LOCAL'),
    allowNonDefaultPorts: flag(env, 'AIVAULT_DEV_ALLOW_NON_DEFAULT_PORTS'),
    allowRemoteClients: flag(env, 'AIVAULT_DEV_ALLOW_REMOTE_CLIENTS'),
    forceDefaultFileProvider: flag(env, 'AIVAULT_DEV_FORCE_DEFAULT_FILE_PROVIDER'),
    codexOAuthTokenEndpoint: endpoint === undefined || endpoint === '' ? undefined : endpoint,
  };
}

/** Upstream client options from the env (resolve map, extra CA, HTTP/1.1 only). */
export async function resolveUpstreamDevOptions(
  env: EnvMap,
  devGate: boolean,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<Pick<UndiciUpstreamOptions, 'resolve' | 'extraCaPem' | 'allowH2'>> {
  if (!devGate) {
    assertGateClosedClean(env, UPSTREAM_DEV_VARS);
    return {};
  }
  const out: Pick<UndiciUpstreamOptions, 'resolve' | 'extraCaPem' | 'allowH2'> = {};
  const resolve = env['AIVAULT_DEV_RESOLVE'];
  if (resolve !== undefined && resolve.trim() !== '') out.resolve = parseDevResolve(resolve);
  const caPath = env['AIVAULT_DEV_CA_CERT_PATH'];
  if (caPath !== undefined && caPath !== '') out.extraCaPem = [await readDevCa(caPath, readFile)];
  if (flag(env, 'AIVAULT_DEV_HTTP1_ONLY')) out.allowH2 = false;
  return out;
}

/** `host=ip:port[,…]`; entries trimmed, empty ones skipped; hosts matched case-insensitively. */
export function parseDevResolve(raw: string): Map<string, DevResolveTarget> {
  const map = new Map<string, DevResolveTarget>();
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw configError(`invalid AIVAULT_DEV_RESOLVE entry '${entry}'; expected host=ip:port`);
    const host = entry.slice(0, eq).trim().toLowerCase();
    const addr = entry.slice(eq + 1).trim();
    if (host === '') throw configError('invalid AIVAULT_DEV_RESOLVE entry with empty host');
    const target = parseSocketAddress(addr);
    if (target === null) throw configError(`invalid socket address '${addr}' in AIVAULT_DEV_RESOLVE entry '${entry}'`);
    map.set(host, target);
  }
  return map;
}

// --- internal ---

function assertGateClosedClean(env: EnvMap, names: readonly string[]): void {
  const found = names.find((name) => isSet(env, name));
  if (found !== undefined) throw configError(`${found} is disabled in release builds; unset it or use a debug build`);
}

function parseSocketAddress(text: string): DevResolveTarget | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const ip = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > 65535) return null;
  if (m[1] !== undefined ? isIP(ip) !== 6 : isIP(ip) !== 4) return null;
  return { ip, port };
}

async function readDevCa(path: string, readFile: (path: string) => Promise<Uint8Array>): Promise<string> {
  let pem: string;
  try {
    pem = new TextDecoder().decode(await readFile(path));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw configError(`failed reading AIVAULT_DEV_CA_CERT_PATH '${path}': ${reason}`);
  }
  try {
    new X509Certificate(pem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw configError(`invalid PEM certificate in AIVAULT_DEV_CA_CERT_PATH '${path}': ${reason}`);
  }
  return pem;
}

function configError(message: string): BrokerError {
  return new BrokerError({ code: 'internal', message });
}
