/**
 * A daemon child serving the bench vault on a unix socket. The built `aivaultd` is preferred;
 * when it cannot reach an upstream (its one probe call fails), the bench daemon
 * (`children/daemon.ts`, same service, `createNodePorts` upstream) takes its place and the
 * reason is recorded.
 */
import type { ChildProcess } from 'node:child_process';
import { createClient } from '../src/core/index.js';
import { createSocketTransport } from '../src/transport-socket/index.js';
import type { Bundles } from './_bundle.js';
import { chatEnvelope } from './_envelopes.js';
import { firstLine, startNode, stopChild } from './_proc.js';

export interface Daemon {
  kind: 'aivaultd' | 'bench-daemon';
  /** Why the built `aivaultd` was not used, when it was not. */
  fallbackReason?: string;
  pid: number;
  socketPath: string;
  stop(): Promise<void>;
}

export async function startDaemon(options: { bundles: Bundles; socketPath: string; env: Record<string, string>; preferBuilt?: boolean }): Promise<Daemon> {
  let fallbackReason: string | undefined;
  if (options.preferBuilt !== false) {
    const child = startNode([options.bundles.aivaultd, '--socket', options.socketPath], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = drain(child);
    try {
      await waitHealthy(options.socketPath, child, 15_000);
      await probe(options.socketPath);
      return wrap('aivaultd', child, options.socketPath);
    } catch (error) {
      fallbackReason = `${error instanceof Error ? error.message : String(error)}${output().trim() === '' ? '' : ` (${output().trim().slice(-300)})`}`;
      await stopChild(child);
    }
  }
  const child = startNode([options.bundles.child('daemon'), options.socketPath], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await firstLine(child, 15_000);
    drain(child);
    await waitHealthy(options.socketPath, child, 15_000);
    await probe(options.socketPath);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { ...wrap('bench-daemon', child, options.socketPath), ...(fallbackReason === undefined ? {} : { fallbackReason }) };
}

// --- internal ---

function wrap(kind: Daemon['kind'], child: ChildProcess, socketPath: string): Daemon {
  return { kind, pid: child.pid ?? 0, socketPath, stop: () => stopChild(child) };
}

/** Keeps the child's pipes flowing; returns the last output seen, for error messages. */
function drain(child: ChildProcess): () => string {
  let text = '';
  const keep = (c: Buffer) => (text = (text + c.toString('utf8')).slice(-2_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function waitHealthy(socketPath: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`daemon exited (${child.exitCode ?? child.signalCode}) before answering`);
    const transport = createSocketTransport({ path: socketPath });
    try {
      await transport.health();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`daemon did not answer health within ${timeoutMs} ms: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await transport.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One real invocation end to end; throws the broker's error text if the daemon cannot serve it. */
async function probe(socketPath: string): Promise<void> {
  const client = createClient({ transport: createSocketTransport({ path: socketPath }) });
  try {
    const result = await client.invoke(chatEnvelope());
    if (result.response.status !== 200) throw new Error(`probe call answered ${result.response.status}`);
  } finally {
    await client.close();
  }
}
