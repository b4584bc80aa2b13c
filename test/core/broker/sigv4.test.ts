// SigV4 against AWS's published signature-v4 test-suite vectors (AKIDEXAMPLE, 20150830T123600Z,
// us-east-1, service "service"), with the signed-header set the vectors use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Crypto } from '@peculiar/webcrypto';
import { amzDate, awsUriEncode, signSigV4, type SigV4Input } from '../../../src/core/broker/sigv4.js';

const crypto = new Crypto();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const BASE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  amzDate: '20150830T123600Z',
} as const;
const HOST_DATE: SigV4Input['headers'] = [['Host', 'example.amazonaws.com'], ['X-Amz-Date', '20150830T123600Z']];
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=';

test('get-vanilla', async () => {
  const out = await signSigV4(crypto, { ...BASE, method: 'GET', path: '/', query: [], headers: HOST_DATE, payloadHash: sha('') });
  assert.equal(out.canonicalRequest, `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${sha('')}`);
  assert.equal(out.stringToSign.split('\n')[3], 'bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63');
  assert.equal(out.authorization, `${AUTH}host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
});

test('get-vanilla-query-order-key-case: pairs sorted before signing', async () => {
  const out = await signSigV4(crypto, {
    ...BASE, method: 'GET', path: '/', query: [['Param2', 'value2'], ['Param1', 'value1']], headers: HOST_DATE, payloadHash: sha(''),
  });
  assert.equal(out.signature, 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
});

test('post-vanilla', async () => {
  const out = await signSigV4(crypto, { ...BASE, method: 'POST', path: '/', query: [], headers: HOST_DATE, payloadHash: sha('') });
  assert.equal(out.signature, '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
});

test('post-x-www-form-urlencoded: signed content type and body hash', async () => {
  const out = await signSigV4(crypto, {
    ...BASE, method: 'POST', path: '/', query: [],
    headers: [['Content-Type', 'application/x-www-form-urlencoded'], ...HOST_DATE],
    payloadHash: sha('Param1=value1'),
  });
  assert.equal(sha('Param1=value1'), '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
  assert.equal(out.stringToSign.split('\n')[3], '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281');
  assert.equal(out.authorization, `${AUTH}content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a`);
});

test('get-utf8: a raw-path vector (single encoding, as for S3)', async () => {
  const out = await signSigV4(crypto, {
    ...BASE, method: 'GET', path: '/%E1%88%B4', query: [], headers: HOST_DATE, payloadHash: sha(''), doubleEncodePath: false,
  });
  assert.equal(out.canonicalRequest.split('\n')[1], '/%E1%88%B4');
  assert.equal(out.signature, '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85');
});

test('get-header-key-duplicate: repeated values join with commas in order', async () => {
  const out = await signSigV4(crypto, {
    ...BASE, method: 'GET', path: '/', query: [],
    headers: [...HOST_DATE, ['My-Header1', 'value2'], ['My-Header1', 'value2'], ['My-Header1', 'value1']],
    payloadHash: sha(''),
  });
  assert.match(out.canonicalRequest, /\nmy-header1:value2,value2,value1\n/);
  assert.equal(out.signedHeaders, 'host;my-header1;x-amz-date');
});

test('the signed-header set is a parameter; other services double-encode path segments', async () => {
  const only = await signSigV4(crypto, { ...BASE, method: 'GET', path: '/', query: [], headers: [...HOST_DATE, ['x-extra', '1']], payloadHash: sha(''), signedHeaders: ['host', 'x-amz-date'] });
  assert.equal(only.signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  const doubled = await signSigV4(crypto, { ...BASE, method: 'GET', path: '/a%20b/c', query: [], headers: HOST_DATE, payloadHash: sha('') });
  assert.equal(doubled.canonicalRequest.split('\n')[1], '/a%2520b/c');
  const s3 = await signSigV4(crypto, { ...BASE, service: 's3', method: 'GET', path: '/a%20b/c', query: [], headers: HOST_DATE, payloadHash: sha('') });
  assert.equal(s3.canonicalRequest.split('\n')[1], '/a%20b/c');
});

test('helpers: amz date and RFC 3986 encoding', () => {
  assert.equal(amzDate(Date.UTC(2015, 7, 30, 12, 36, 0)), '20150830T123600Z');
  assert.equal(awsUriEncode("a b!*'()~._-/"), 'a%20b%21%2A%27%28%29~._-%2F');
});
