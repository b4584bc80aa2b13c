// Native base64 for stream chunk frames (node's Buffer), strict like core's decoder.
import type { ChunkBase64 } from '../core/protocol/index.js';

const ALPHABET_PADDED = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `Buffer`'s base64 is lenient (URL-safe letters, whitespace, missing padding); the contract is
 * strict, so the text is checked first: length a multiple of 4, standard alphabet, padding only
 * at the end, and zero padding bits (the last quantum re-encodes to itself).
 */
export const nodeChunkBase64: ChunkBase64 = {
  encode: (bytes) => Buffer.from(asBuffer(bytes).toString('base64'), 'latin1'),
  encodeInto: (bytes, target, offset) => void asBuffer(target).write(asBuffer(bytes).toString('base64'), offset, 'latin1'),
  decode: (ascii) => {
    if (ascii.length % 4 !== 0) return null;
    const text = asBuffer(ascii).toString('latin1');
    if (!ALPHABET_PADDED.test(text)) return null;
    if (text.endsWith('=') && !canonicalQuantum(text.slice(-4))) return null;
    return Buffer.from(text, 'base64');
  },
};

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function canonicalQuantum(quantum: string): boolean {
  return Buffer.from(quantum, 'base64').toString('base64') === quantum;
}
