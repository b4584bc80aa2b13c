/**
 * The mock upstream in its own process (so its CPU is not the bench driver's): the test suite's
 * loopback HTTPS server with a throwaway CA, answering as api.openai.com. The request body picks
 * the reply:
 * - `"model":"bench-bytes-<n>"`: `n` bytes of `a` in 64 KiB writes, honouring backpressure;
 * - `"model":"bench-ttfb"`: one SSE event at once, the end 5 ms later (a buffering broker shows);
 * - anything else: a small chat-completion JSON.
 * Prints one JSON line `{port, caPath, caPem, devResolve}` when listening; exits when stdin closes.
 */
import type { ServerResponse } from 'node:http';
import { startHttpsUpstream, type RecordedRequest } from '../../test/fakes/https-upstream.js';

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const SMALL = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
});

const upstream = await startHttpsUpstream({ hostnames: ['api.openai.com'], handler });

function handler(request: RecordedRequest, response: ServerResponse): { status: number; headers: Record<string, string>; body: string } | undefined {
  upstream.requests.length = 0; // keep memory flat over thousands of calls
  const model = /"model"\s*:\s*"([^"]*)"/.exec(request.bodyText)?.[1] ?? '';
  const bytes = /^bench-bytes-(\d+)$/.exec(model);
  if (bytes !== null) {
    sendBytes(response, Number(bytes[1]));
    return undefined;
  }
  if (model === 'bench-ttfb') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: {"choices":[{"delta":{"content":"p"}}]}\n\n');
    setTimeout(() => response.end('data: [DONE]\n\n'), 5);
    return undefined;
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: SMALL };
}

function sendBytes(response: ServerResponse, total: number): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(CHUNK.length, total - sent);
      sent += n;
      if (!response.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => (sent = total));
  pump();
}

process.stdout.write(`${JSON.stringify({ port: upstream.port, caPath: upstream.caPath, caPem: upstream.caPem, devResolve: upstream.devResolve })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void upstream.close().finally(() => process.exit(0)));
process.on('SIGTERM', () => void upstream.close().finally(() => process.exit(0)));
