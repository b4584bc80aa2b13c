// A slow stream reader holds the daemon back: the server pulls body chunks only as fast as the
// client takes the frames, so a large response never piles up in the daemon's memory. Proven by
// byte counts (pulled from the body vs received by the client), never by timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Socket } from 'node:net';
import { once } from 'node:events';
import type { BrokerResponse, BrokerService } from '../../src/core/index.js';
import { startSocketServer } from './_harness.js';

const CHUNK = 64 * 1024;
/** Far more than any socket buffers hold: without backpressure the server reads all of it at once. */
const TOTAL = 64 * 1024 * 1024;
/** What may sit between the body and the client: kernel socket buffers, one frame, Node's write buffer. */
const MAX_AHEAD = 4 * 1024 * 1024;

interface CountingService extends BrokerService {
  pulled(): number;
  closed: Promise<void>;
}

function countingService(): CountingService {
  let pulled = 0;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      while (pulled < TOTAL) {
        pulled += CHUNK;
        yield chunk;
      }
    } finally {
      markClosed();
    }
  }
  return {
    pulled: () => pulled,
    closed,
    async handle(request): Promise<BrokerResponse> {
      const planned = { capability: request.envelope.capability, credential: 'fake', method: 'GET', url: 'https://api.fake.example/' };
      return { planned, status: 200, headers: [{ name: 'content-type', value: 'application/octet-stream' }], body: body() };
    },
    unlock: async () => ({ locked: false }),
    lock: async () => ({ locked: true }),
    status: async () => ({ locked: false }),
  };
}

const streamRequest = { op: 'execute_envelope_stream', envelope: { capability: 'test/bytes', request: { method: 'GET', path: '/' } }, client_ip: '127.0.0.1' };

/** Lets the server run for `turns` event-loop turns while the client reads nothing. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Reads (resumed) until at least `bytes` more arrived, then pauses again. */
async function readMore(socket: Socket, received: { bytes: number }, bytes: number): Promise<void> {
  const target = received.bytes + bytes;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received.bytes += chunk.length;
      if (received.bytes < target) return;
      socket.pause();
      socket.off('data', onData);
      socket.off('error', reject);
      resolve();
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.resume();
  });
}

/** Body bytes the received frame bytes carry, at most (base64 is 4 wire bytes per 3). */
const bodyBytesIn = (wireBytes: number) => Math.ceil((wireBytes * 3) / 4);

async function assertBounded(service: CountingService, socket: Socket): Promise<void> {
  const received = { bytes: 0 };
  for (let round = 0; round < 4; round++) {
    await turns(50);
    const ahead = service.pulled() - bodyBytesIn(received.bytes);
    assert.ok(ahead <= MAX_AHEAD, `round ${round}: the server pulled ${ahead} bytes ahead of the reader`);
    await readMore(socket, received, 1024 * 1024);
  }
  assert.ok(service.pulled() < TOTAL / 2, `the server pulled ${service.pulled()} of ${TOTAL} bytes`);
  socket.destroy();
  await service.closed; // the body is released when the reader leaves
}

test('one-shot stream: a reader that stops reading stops the server pulling the body', async () => {
  const service = countingService();
  const fixture = await startSocketServer(service);
  try {
    const socket = createConnection(fixture.path);
    try {
      await once(socket, 'connect');
      socket.pause();
      socket.end(JSON.stringify(streamRequest));
      await assertBounded(service, socket);
    } finally {
      socket.destroy();
    }
  } finally {
    await fixture.close();
  }
});

test('multiplexed stream: a reader that stops reading stops the server pulling the body', async () => {
  const service = countingService();
  const fixture = await startSocketServer(service);
  try {
    const socket = createConnection(fixture.path);
    try {
      await once(socket, 'connect');
      socket.pause();
      socket.write(`${JSON.stringify({ op: 'multiplex', version: 1 })}\n${JSON.stringify({ id: 1, request: streamRequest })}\n`);
      await assertBounded(service, socket);
    } finally {
      socket.destroy();
    }
  } finally {
    await fixture.close();
  }
});
