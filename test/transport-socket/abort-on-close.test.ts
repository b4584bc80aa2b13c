// The one-shot connection's abort signal: a client leaving mid-call cancels the call; a connection
// closing after its reply aborts nothing (no AbortError is built for calls that already answered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { once } from 'node:events';
import { createFakeService } from '../contract/fake-service.js';
import { startSocketServer } from './_harness.js';
import { rawExchange } from './_raw.js';

const request = (capability: string, op = 'execute_envelope') =>
  JSON.stringify({ op, envelope: { capability, request: { method: 'GET', path: '/' } }, client_ip: '127.0.0.1' });

test('a one-shot call that answered is not aborted when its connection closes', async () => {
  const service = createFakeService();
  const fixture = await startSocketServer(service);
  try {
    assert.equal((JSON.parse(await rawExchange(fixture.path, request('test/echo'))) as { ok: boolean }).ok, true);
    await fixture.server.idle();
    assert.equal(service.calls[0]!.signal?.aborted, false);
  } finally {
    await fixture.close();
  }
});

test('a client leaving mid-call aborts the call it started', async () => {
  const service = createFakeService();
  const fixture = await startSocketServer(service);
  try {
    const socket = createConnection(fixture.path);
    await once(socket, 'connect');
    socket.end(request('test/hold', 'execute_envelope_stream'));
    await service.entered.promise;
    socket.destroy();
    assert.equal(await service.bodyClosed.promise, 'abort');
    assert.equal(service.calls[0]!.signal?.aborted, true);
  } finally {
    await fixture.close();
  }
});
