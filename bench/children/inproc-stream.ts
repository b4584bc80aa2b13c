/**
 * Streams `<bytes>` through an in-process broker (real vault, `createInprocTransport`, the undici
 * upstream with the dev resolve + CA options) and prints `{bytes, ms, maxRssBytes}`.
 * Usage: `node inproc-stream.js <bytes>` with the vault and `AIVAULT_DEV_*` variables in the env.
 */
import { createClient } from '../../src/core/index.js';
import { createInprocTransport, createUndiciUpstream, parseDevResolve } from '../../src/transport-inproc/index.js';
import { readFile } from 'node:fs/promises';
import { assembleService } from '../_service.js';
import { streamEnvelope } from '../_envelopes.js';

const total = Number(process.argv[2]);
const env = { ...process.env };
const upstream = createUndiciUpstream({
  resolve: parseDevResolve(env['AIVAULT_DEV_RESOLVE'] ?? ''),
  extraCaPem: [await readFile(env['AIVAULT_DEV_CA_CERT_PATH'] ?? '', 'utf8')],
});
const { service } = await assembleService({ env, upstream });
const client = createClient({ transport: createInprocTransport(service) });
const start = process.hrtime.bigint();
let bytes = 0;
for await (const chunk of client.stream(streamEnvelope(total))) bytes += chunk.byteLength;
const ms = Number(process.hrtime.bigint() - start) / 1e6;
await client.close();
await upstream.close();
process.stdout.write(`${JSON.stringify({ bytes, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
