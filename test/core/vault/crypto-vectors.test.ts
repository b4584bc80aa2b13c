// vault.md §6.7 test vectors, AEAD failure modes (§6.2) and key text parsing (§5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hchacha } from '@noble/ciphers/chacha.js';
import { aadFor, openEnvelope, sealEnvelopeWith } from '../../../src/core/vault/envelope.js';
import { aeadOpen, aeadSeal } from '../../../src/core/vault/aead.js';
import { kekIdOf, parseKeyText, encodeKeyText } from '../../../src/core/vault/kek.js';
import { deriveKek } from '../../../src/core/vault/providers/passphrase.js';
import { base64DecodeStrict, hexDecode, hexEncode, utf8Encode } from '../../../src/core/encoding.js';
import { isBrokerError } from '../../../src/core/broker-error.js';

const KEK = Uint8Array.from({ length: 32 }, (_, i) => i);
const SECRET_ID = '3f2504e0-4f89-41d3-9d0a-0305e82c3301';
const GLOBAL = { kind: 'global' } as const;

const fails = (message: string) => (error: unknown) => isBrokerError(error, 'vault_error') && error.message === message;

test('HChaCha20 vector (§6.7)', () => {
  const u32 = (b: Uint8Array) => new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  const sigma = u32(utf8Encode('expand 32-byte k'));
  const out = new Uint32Array(8);
  hchacha(sigma, u32(KEK), u32(hexDecode('000000090000004a0000000031415927')!), out);
  assert.equal(hexEncode(new Uint8Array(out.buffer)), '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
});

test('kekId is the SHA-256 fingerprint of the KEK', async () => {
  assert.equal(await kekIdOf(globalThis.crypto, KEK), '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
});

test('envelope vector for a pinned global secret: byte-exact wrap and value, and it opens', () => {
  const aad = aadFor({ secretId: SECRET_ID, scope: GLOBAL, aadVersion: 2, pinnedProvider: 'openai' });
  assert.equal(new TextDecoder().decode(aad), `vault:secret:v2:${SECRET_ID}:global:openai`);
  const envelope = sealEnvelopeWith({
    value: utf8Encode('sk-test'),
    aad,
    kek: KEK,
    kekId: '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd',
    dek: new Uint8Array(32).fill(0xa5),
    wrapNonce: base64DecodeStrict('AAECAwQFBgcICQoLDA0ODxAREhMUFRYX')!,
    valueNonce: base64DecodeStrict('ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7')!,
  });
  assert.equal(envelope.dekWrapped.ciphertextB64, 'O2eq2jV3KAuW4YNrbvcNTe7ijQBYc7hO2r+aE5gIUPwQ9vJKCLRoN2qNNmB/Cu37');
  assert.equal(envelope.value.ciphertextB64, 'DPlUuDVpGBjoPSNYAgpxIEVZuOZl3nw=');
  assert.equal(new TextDecoder().decode(openEnvelope(envelope, aad, KEK)), 'sk-test');
});

test('the vector value does not open with the v1 AAD, nor with a tampered pin', () => {
  const v2 = aadFor({ secretId: SECRET_ID, scope: GLOBAL, aadVersion: 2, pinnedProvider: 'openai' });
  const envelope = sealEnvelopeWith({
    value: utf8Encode('sk-test'), aad: v2, kek: KEK, kekId: 'x', dek: new Uint8Array(32).fill(0xa5),
    wrapNonce: new Uint8Array(24), valueNonce: new Uint8Array(24).fill(1),
  });
  const v1 = aadFor({ secretId: SECRET_ID, scope: GLOBAL, aadVersion: 1 });
  assert.equal(new TextDecoder().decode(v1), `vault:secret:v1:${SECRET_ID}:global`);
  assert.throws(() => openEnvelope(envelope, v1, KEK), fails('vault provider misconfigured: decrypt failed'));
  const otherPin = aadFor({ secretId: SECRET_ID, scope: GLOBAL, aadVersion: 2, pinnedProvider: 'anthropic' });
  assert.throws(() => openEnvelope(envelope, otherPin, KEK), fails('vault provider misconfigured: decrypt failed'));
  // the value blob alone, decrypted with the DEK under v1, fails too (§6.7)
  assert.throws(() => aeadOpen(new Uint8Array(32).fill(0xa5), envelope.value, v1), fails('vault provider misconfigured: decrypt failed'));
});

test('AAD rules: v0 reads as v1, v2 needs a pin, other versions are refused', () => {
  const v0 = aadFor({ secretId: 'x', scope: { kind: 'group', workspaceId: 'w', groupId: 'g' }, aadVersion: 0 });
  assert.equal(new TextDecoder().decode(v0), 'vault:secret:v1:x:group:w:g');
  assert.throws(() => aadFor({ secretId: 'x', scope: GLOBAL, aadVersion: 2, pinnedProvider: '  ' }), fails('aad v2 requires pinnedProvider (missing)'));
  assert.throws(() => aadFor({ secretId: 'x', scope: GLOBAL, aadVersion: 3 }), fails('unsupported secret aadVersion 3'));
  const trimmed = aadFor({ secretId: 'x', scope: { kind: 'workspace', workspaceId: 'w' }, aadVersion: 2, pinnedProvider: ' p ' });
  assert.equal(new TextDecoder().decode(trimmed), 'vault:secret:v2:x:workspace:w:p');
});

test('AEAD blob failures are reported with the contract details', () => {
  const aad = utf8Encode('a');
  const blob = aeadSeal(KEK, utf8Encode('v'), aad, new Uint8Array(24));
  assert.throws(() => aeadOpen(KEK, { ...blob, alg: 'aes' }, aad), fails('vault provider misconfigured: unsupported aead alg'));
  assert.throws(() => aeadOpen(KEK, { ...blob, nonceB64: 'AAA' }, aad), fails('vault provider misconfigured: invalid nonce'));
  assert.throws(() => aeadOpen(KEK, { ...blob, nonceB64: 'AAAA' }, aad), fails('vault provider misconfigured: invalid nonce length'));
  assert.throws(() => aeadOpen(KEK, { ...blob, ciphertextB64: 'a b=' }, aad), fails('vault provider misconfigured: invalid ciphertext'));
  const truncated = { ...blob, ciphertextB64: blob.ciphertextB64.slice(0, 8) };
  assert.throws(() => aeadOpen(KEK, truncated, aad), fails('vault provider misconfigured: decrypt failed'));
});

test('key text: base64 (strict) or 64 hex chars, else the contract errors', () => {
  assert.deepEqual(parseKeyText(' AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n'), KEK);
  assert.deepEqual(parseKeyText(hexEncode(KEK)), KEK);
  assert.deepEqual(parseKeyText(hexEncode(KEK).toUpperCase()), KEK);
  assert.equal(encodeKeyText(KEK), 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
  assert.throws(() => parseKeyText('  '), fails('vault provider misconfigured: missing vault key'));
  const invalid = fails('vault provider misconfigured: invalid vault key (expected base64 or 64-char hex for 32 bytes)');
  assert.throws(() => parseKeyText('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'), invalid); // unpadded
  assert.throws(() => parseKeyText('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8_'), invalid); // url-safe
  assert.throws(() => parseKeyText('AAEC'), invalid); // wrong length
});

test('Argon2id vector m=8192 t=2 p=1', async () => {
  const kek = await deriveKek('secret-passphrase', { saltB64: 'MDEyMzQ1Njc4OWFiY2RlZg==', mCostKib: 8192, tCost: 2, pCost: 1 });
  assert.equal(hexEncode(kek), 'f0474e91fabe6937e9b10405bb1695fe7ec3d1977083710632e42f485142dcc0');
});

test('Argon2id vector with the 64 MiB defaults, and its kekId', async () => {
  const kek = await deriveKek('correct horse battery staple', { saltB64: 'MDEyMzQ1Njc4OWFiY2RlZg==', mCostKib: 65536, tCost: 2, pCost: 1 });
  assert.equal(hexEncode(kek), 'cdb454754c3db33d45695237b0a4316be8834f7e7221f65293fca548e4eb68ff');
  assert.equal(await kekIdOf(globalThis.crypto, kek), '153a0bab58861395f11b4831bf8ecd974dc7167b4b2a378eb76fd0ea98a27989');
});
