/**
 * The mock upstream child (`children/upstream.ts`) and the baseline: a direct undici keep-alive
 * client to the same mock, speaking as api.openai.com (SNI, Host, the throwaway CA).
 */
import { resolve } from 'node:path';
import { Pool } from 'undici';
import { firstLine, startNode, stopChild } from './_proc.js';

export const BENCH_ROOT = resolve(import.meta.dirname, '..');
export const UPSTREAM_HOST = 'api.openai.com';
export const CHAT_PATH = '/v1/chat/completions';

export interface UpstreamInfo {
  port: number;
  caPath: string;
  caPem: string;
  devResolve: string;
  pid: number;
  /** `AIVAULT_DEV_RESOLVE` + `AIVAULT_DEV_CA_CERT_PATH` for children. */
  devEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startUpstreamChild(): Promise<UpstreamInfo> {
  const child = startNode(['--import', 'tsx', resolve(BENCH_ROOT, 'bench/children/upstream.ts')], { env: { ...process.env } });
  try {
    const info = JSON.parse(await firstLine(child, 30_000)) as { port: number; caPath: string; caPem: string; devResolve: string };
    child.stderr?.resume();
    return {
      ...info,
      pid: child.pid ?? 0,
      devEnv: { AIVAULT_DEV_RESOLVE: info.devResolve, AIVAULT_DEV_CA_CERT_PATH: info.caPath },
      stop: async () => {
        child.stdin?.end();
        await stopChild(child);
      },
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** The request body for a mock reply mode (see `children/upstream.ts`). */
export const chatBody = (model = 'gpt-bench'): string => JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }] });

export interface DirectClient {
  /** One chat call; resolves with the body length once the body is read. */
  chat(body?: string): Promise<number>;
  /** A streamed call: `onFirstByte` fires at the first body chunk; resolves with the byte count. */
  stream(body: string, onFirstByte?: () => void): Promise<number>;
  close(): Promise<void>;
}

export function createDirectClient(upstream: Pick<UpstreamInfo, 'port' | 'caPem'>): DirectClient {
  const pool = new Pool(`https://127.0.0.1:${upstream.port}`, {
    keepAliveTimeout: 30_000,
    connect: { ca: [upstream.caPem], servername: UPSTREAM_HOST },
  });
  const send = (body: string) =>
    pool.request({
      method: 'POST',
      path: CHAT_PATH,
      headers: { host: UPSTREAM_HOST, authorization: 'Bearer sk-bench-direct', 'content-type': 'application/json' },
      body,
    });
  return {
    async chat(body = chatBody()) {
      const response = await send(body);
      return (await response.body.bytes()).byteLength;
    },
    async stream(body, onFirstByte) {
      const response = await send(body);
      let n = 0;
      for await (const chunk of response.body) {
        if (n === 0) onFirstByte?.();
        n += (chunk as Buffer).byteLength;
      }
      return n;
    },
    close: () => pool.close(),
  };
}
