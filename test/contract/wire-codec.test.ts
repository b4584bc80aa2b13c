// Pure codec rules: error text round trips, multiplexed frame parsing, and the multiplex upgrade on a real socket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { once } from 'node:events';
import { BrokerError, ERROR_CODES, decodeMuxClientLine, errorFromWireText, renderErrorText, type ErrorCode } from '../../src/core/index.js';
import { createFakeService } from './fake-service.js';
import { startSocketServer } from '../transport-socket/_harness.js';

const line = (text: string) => new TextEncoder().encode(text);

describe('wire codec', () => {
  it('every error code survives the text round trip byte for byte', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const text = renderErrorText(new BrokerError({ code, message: 'some message: with colon' }));
      const back = errorFromWireText(text);
      assert.equal(renderErrorText(back), text, code);
      assert.equal(back.fromWire, true);
      if (ERROR_CODES[code].pascal !== null) assert.equal(back.code, code);
    }
  });

  it('parses multiplexed client frames and names what is wrong', () => {
    assert.deepEqual(decodeMuxClientLine(line('{"id":3,"cancel":true}')), { kind: 'cancel', id: 3 });
    const request = decodeMuxClientLine(line('{"id":4,"request":{"op":"status"}}'));
    assert.deepEqual(request, { kind: 'request', id: 4, request: { op: 'status' } });
    const noId = decodeMuxClientLine(line('{"request":{"op":"status"}}'));
    assert.equal(noId.kind === 'invalid' && noId.id, null);
    const bad = decodeMuxClientLine(line('{"id":5,"request":{"op":"nope"}}'));
    assert.ok(bad.kind === 'invalid' && bad.id === 5 && bad.error.message === 'invalid request JSON: unknown op `nope`');
    const nested = decodeMuxClientLine(line('{"id":6,"request":{"op":"multiplex"}}'));
    assert.ok(nested.kind === 'invalid' && nested.id === 6);
  });

  it('upgrades a connection whose first line is the multiplex hello, and closes it on a frame without id', async () => {
    const fixture = await startSocketServer(createFakeService());
    const socket = createConnection({ path: fixture.path, allowHalfOpen: true });
    await once(socket, 'connect');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write('{"op":"multiplex","version":1}\n{"id":1,"request":{"op":"status"}}\n{"id":2,"request":{"op":"lock"}}\n');
    socket.write('garbage\n');
    await once(socket, 'end');
    socket.end();
    const lines = Buffer.concat(chunks).toString().trimEnd().split('\n');
    assert.equal(lines[0], '{"ok":true,"value":{"multiplex":1}}');
    assert.deepEqual(lines.slice(1).sort(), [
      '{"id":1,"ok":true,"value":{"locked":true}}',
      '{"id":2,"ok":true,"value":{"locked":true}}',
      '{"id":null,"ok":false,"error":"invalid request JSON: malformed multiplexed frame"}',
    ]);
    await fixture.close();
  });
});
