// A stand-in aivaultd on a real unix socket that records every request byte for byte and answers
// with whatever the test scripts: lets CLI tests check the wire keys the client sends and how it
// renders replies and stream frames (daemon.md §5).
import { createServer, type Server } from 'node:net';

export interface RawDaemon {
  /** Every request received, as the raw text the client wrote before half-closing. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** `reply(request)` returns the bytes to write back (then the connection is closed). */
export async function startRawDaemon(path: string, reply: (request: Record<string, unknown>) => string): Promise<RawDaemon> {
  const requests: string[] = [];
  const server: Server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push(text);
      socket.end(reply(JSON.parse(text) as Record<string, unknown>));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One newline-terminated stream frame (daemon.md §5.5). */
export function frame(value: Record<string, unknown>): string {
  return `${JSON.stringify(value)}\n`;
}

/** A well-formed buffered result (broker.md §10.4) with `body` as its bytes. */
export function okReply(body: string, planned: Record<string, unknown> = { capability: 'openai/models', credential: 'openai', method: 'GET', url: 'https://api.openai.com/v1/models' }): string {
  const bytes = Buffer.from(body, 'utf8');
  return JSON.stringify({
    ok: true,
    value: { planned, response: { status: 200, headers: [{ name: 'x-upstream', value: 'hidden' }], bodyUtf8: body, bodyB64: bytes.toString('base64') } },
  });
}
