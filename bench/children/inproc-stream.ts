/**
 * Streams `<bytes>` through an in-process broker the way a library user runs one: the built
 * package's `createNodeBrokerService` (real vault, the undici upstream) and `createInprocTransport`,
 * loaded from `<dist>` (the bench's dev build, so `AIVAULT_DEV_RESOLVE` / `AIVAULT_DEV_CA_CERT_PATH`
 * reach the mock). Prints `{bytes, ms, maxRssBytes}`.
 * Usage: `node inproc-stream.js <bytes> <dist dir>` with the vault and `AIVAULT_DEV_*` variables in the env.
 *
 * The package, not `src/` bundled here: this process must hold what a user's process holds, so it
 * imports nothing of the bench (its helpers load all of undici for the direct baseline).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Inproc = typeof import('../../src/transport-inproc/index.js');

const [totalArg, dist] = process.argv.slice(2);
if (dist === undefined) throw new Error('usage: inproc-stream.js <bytes> <dist dir>');
const total = Number(totalArg);
const lib = (await import(pathToFileURL(join(dist, 'inproc.js')).href)) as Inproc;
const broker = await lib.createNodeBrokerService({ env: { ...process.env } });
const client = lib.createClient({ transport: lib.createInprocTransport(broker.service) });
// The body that asks the mock for `total` bytes (bench/_envelopes.ts streamEnvelope, restated to keep the bench out).
const envelope = {
  capability: 'openai/chat-completions',
  request: {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: [{ name: 'content-type', value: 'application/json' }],
    body: JSON.stringify({ model: `bench-bytes-${total}`, messages: [{ role: 'user', content: 'ping' }] }),
  },
};
const start = process.hrtime.bigint();
let bytes = 0;
for await (const chunk of client.stream(envelope)) bytes += chunk.byteLength;
const ms = Number(process.hrtime.bigint() - start) / 1e6;
await client.close();
await broker.close();
process.stdout.write(`${JSON.stringify({ bytes, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
