/**
 * The baseline for the 1 GiB stream: the same body read straight from the mock with undici.
 * Usage: `node direct-stream.js <bytes> <port> <caPath>`; prints `{bytes, ms, maxRssBytes}`.
 */
import { readFile } from 'node:fs/promises';
import { chatBody, createDirectClient } from '../_upstream.js';

const [totalArg, portArg, caPath] = process.argv.slice(2);
const client = createDirectClient({ port: Number(portArg), caPem: await readFile(caPath ?? '', 'utf8') });
const start = process.hrtime.bigint();
const bytes = await client.stream(chatBody(`bench-bytes-${Number(totalArg)}`));
const ms = Number(process.hrtime.bigint() - start) / 1e6;
await client.close();
process.stdout.write(`${JSON.stringify({ bytes, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
