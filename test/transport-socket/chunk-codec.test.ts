// The stream hot path: chunk lines built/read without JSON must equal the JSON path byte for byte,
// and anything non-canonical must fall back (undefined) so the JSON decoder reports the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeChunkLine,
  encodeChunkLine,
  encodeMuxFrame,
  encodeStreamFrame,
  pureChunkBase64,
  streamLines,
  type ChunkBase64,
} from '../../src/core/protocol/index.js';
import { nodeChunkBase64 } from '../../src/transport-socket/_base64.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
const codecs: Array<[string, ChunkBase64]> = [['pure', pureChunkBase64], ['node', nodeChunkBase64]];

for (const [name, codec] of codecs) {
  test(`${name}: chunk lines equal the JSON encoding, untagged and multiplexed`, () => {
    for (const n of [1, 2, 3, 4, 5, 100, 65_536]) {
      const bytes = bytesOf(n);
      const bodyB64 = Buffer.from(bytes).toString('base64');
      assert.deepEqual(encodeChunkLine(bytes, codec), encodeStreamFrame({ type: 'chunk', bodyB64 }));
      assert.deepEqual(encodeChunkLine(bytes, codec, 42), encodeMuxFrame(42, { type: 'chunk', bodyB64 }));
    }
  });

  test(`${name}: decodes its own lines back to the bytes and the id`, () => {
    for (const n of [1, 2, 3, 65_537]) {
      const bytes = bytesOf(n);
      const plain = encodeChunkLine(bytes, codec);
      const decoded = decodeChunkLine(plain.subarray(0, -1), codec)!;
      assert.equal(decoded.id, null);
      assert.deepEqual([...decoded.bytes], [...bytes]);
      const tagged = decodeChunkLine(encodeChunkLine(bytes, codec, 0).subarray(0, -1), codec)!;
      assert.equal(tagged.id, 0);
      assert.deepEqual([...tagged.bytes], [...bytes]);
    }
  });

  test(`${name}: non-canonical base64 and other shapes fall back to the JSON decoder`, () => {
    const lines = [
      '{"type":"chunk","bodyB64":"QQ"}', // unpadded
      '{"type":"chunk","bodyB64":"QR=="}', // non-zero padding bits
      '{"type":"chunk","bodyB64":"-_-_"}', // URL-safe alphabet
      '{"type":"chunk","bodyB64":"QU Q="}', // whitespace
      '{"type":"chunk","bodyB64":"Q==="}',
      '{"type":"chunk","bodyB64":"QQ==QQ=="}', // padding in the middle
      '{"type":"chunk","bodyB64":"QUJD\\/"}', // JSON escape
      '{"bodyB64":"QUJD","type":"chunk"}', // other key order
      '{"type":"chunk", "bodyB64":"QUJD"}',
      '{"id":07,"type":"chunk","bodyB64":"QUJD"}', // leading zero: not JSON
      '{"id":-1,"type":"chunk","bodyB64":"QUJD"}',
      '{"id":1.5,"type":"chunk","bodyB64":"QUJD"}',
      '{"type":"end"}',
      '{"type":"chunk","bodyB64":"QUJD"} ',
    ];
    for (const line of lines) assert.equal(decodeChunkLine(utf8(line), codec), undefined, line);
    assert.deepEqual([...decodeChunkLine(utf8('{"type":"chunk","bodyB64":""}'), codec)!.bytes], []);
    assert.deepEqual([...decodeChunkLine(utf8('{"id":12,"type":"chunk","bodyB64":"QUI="}'), codec)!.bytes], [0x41, 0x42]);
  });
}

test('streamLines: chunk lines then one terminal frame; an error becomes the error frame', async () => {
  async function* ok() {
    yield bytesOf(3);
    yield new Uint8Array(0);
    yield bytesOf(4);
  }
  const lines: Uint8Array[] = [];
  for await (const line of streamLines(ok(), { base64: nodeChunkBase64, id: 5 })) lines.push(line);
  assert.equal(lines.length, 3);
  assert.deepEqual(lines[2], encodeMuxFrame(5, { type: 'end' }));
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield bytesOf(2);
    throw new Error('boom');
  }
  const out: string[] = [];
  for await (const line of streamLines(failing())) out.push(Buffer.from(line).toString('utf8'));
  assert.equal(out.length, 2);
  assert.equal(out[1], '{"type":"error","error":"internal error"}\n');
});
