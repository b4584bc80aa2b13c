/**
 * In-process broker clients over a bench vault: the production undici upstream reaching the mock
 * through the dev resolve + CA options, or an in-memory upstream (the broker pipeline alone).
 */
import { createClient, type Client, type UpstreamPort } from '../src/core/index.js';
import { createInprocTransport, createUndiciUpstream, parseDevResolve } from '../src/transport-inproc/index.js';
import type { BenchContext } from './_context.js';
import { assembleService } from './_service.js';
import type { UpstreamInfo } from './_upstream.js';

export function undiciUpstreamFor(ctx: BenchContext, upstream: UpstreamInfo): UpstreamPort {
  const port = createUndiciUpstream({ resolve: parseDevResolve(upstream.devResolve), extraCaPem: [upstream.caPem] });
  ctx.defer(() => port.close());
  return port;
}

/** A small JSON reply without a network: what the broker costs on its own. */
export const inMemoryUpstream: UpstreamPort = async (request) => {
  if (request.body !== null && typeof request.body === 'object' && Symbol.asyncIterator in request.body) for await (const _ of request.body);
  const body = new TextEncoder().encode('{"id":"chatcmpl-bench","object":"chat.completion"}');
  return {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: (async function* () {
      yield body;
    })(),
  };
};

export async function inprocClient(ctx: BenchContext, env: Record<string, string>, upstream: UpstreamPort): Promise<Client> {
  const { service } = await assembleService({ env, upstream });
  const client = createClient({ transport: createInprocTransport(service) });
  ctx.defer(() => client.close());
  return client;
}
