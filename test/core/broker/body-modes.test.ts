// Body modes on the wire (broker.md §10.2) and the request size estimate [B-REQSIZE].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, harness } from './_harness.js';

test('text body: UTF-8 bytes, no content type added, requestBytes audited', async () => {
  const h = harness();
  await h.invoke(env({ method: 'POST', body: 'héllo' }));
  assert.equal(h.mock.bodyText(0), 'héllo');
  assert.equal(h.mock.header(0, 'content-type'), undefined);
  assert.equal(h.audits[0]!.requestBytes, 6);
});

test('file body: relative paths resolve against the executing process cwd', async () => {
  const h = harness({ files: { '/work/data/in.bin': 'FILE-BYTES', '/abs.txt': 'ABS' } });
  await h.invoke(env({ method: 'POST', bodyFilePath: 'data/in.bin' }));
  assert.equal(h.mock.bodyText(0), 'FILE-BYTES');
  await h.invoke(env({ method: 'POST', bodyFilePath: '/abs.txt' }));
  assert.equal(h.mock.bodyText(1), 'ABS');
  const error = await h.refuse(env({ method: 'POST', bodyFilePath: 'missing.bin' }));
  assert.deepEqual([error.code, error.message], ['upstream_error', "failed to read file 'missing.bin'"]);
});

test('multipart: fields then files, the encoder owns the content type, caller content-type removed', async () => {
  const h = harness({ files: { '/work/rec/meeting.wav': 'RIFFDATA' } });
  await h.invoke(env({
    method: 'POST',
    headers: [{ name: 'Content-Type', value: 'application/json' }, { name: 'x-keep', value: '1' }],
    multipart: { model: 'base', lang: 'en' },
    multipartFiles: [{ field: 'file', path: 'rec/meeting.wav' }],
  }));
  const contentTypes = h.mock.requests[0]!.headers.filter(([n]) => n === 'content-type');
  assert.equal(contentTypes.length, 1);
  assert.match(contentTypes[0]![1], /^multipart\/form-data; ?boundary=/);
  const body = h.mock.bodyText(0);
  assert.ok(body.indexOf('name="model"') < body.indexOf('name="lang"') && body.indexOf('name="lang"') < body.indexOf('name="file"'));
  assert.match(body, /name="file"; filename="meeting.wav"\r\nContent-Type: audio\/wav\r\n\r\nRIFFDATA/);
  assert.equal(h.mock.header(0, 'x-keep'), '1');
});

test('an empty multipart object still counts as a body mode and sends a form', async () => {
  const h = harness();
  await h.invoke(env({ method: 'POST', multipart: {} }));
  assert.match(h.mock.header(0, 'content-type')!, /^multipart\/form-data;/);
});

test('request size estimate: text bytes, multipart keys+values+field+file size, file size', async () => {
  const files = { '/work/f.bin': '12345' };
  const limit = (max: number) => ({ files, policies: { 'acme/users': { maxRequestBodyBytes: max } } });
  const mp = { method: 'POST', multipart: { ab: 'cd' }, multipartFiles: [{ field: 'f', path: 'f.bin' }] }; // 2+2+1+5 = 10
  assert.equal((await harness(limit(10)).invoke(env(mp))).response.status, 200);
  assert.equal((await harness(limit(9)).refuse(env(mp))).message, 'request body exceeds capability size limit');
  assert.equal((await harness(limit(5)).invoke(env({ method: 'POST', bodyFilePath: 'f.bin' }))).response.status, 200);
  assert.equal((await harness(limit(4)).refuse(env({ method: 'POST', bodyFilePath: 'f.bin' }))).message, 'request body exceeds capability size limit');
  assert.equal((await harness(limit(1)).refuse(env({ method: 'POST', body: 'é' }))).message, 'request body exceeds capability size limit');
  const missing = await harness(limit(100)).refuse(env({ method: 'POST', multipartFiles: [{ field: 'f', path: 'gone.bin' }] }));
  assert.deepEqual([missing.code, missing.message], ['invalid_request', 'multipart file path not accessible']);
});

test('without a size policy, files are only touched at execution time', async () => {
  const h = harness({ files: { '/work/f.bin': 'x' } });
  const error = await h.refuse(env({ method: 'POST', multipartFiles: [{ field: 'f', path: 'nope.bin' }], headers: [{ name: 'authorization', value: 'x' }] }));
  assert.equal(error.message, 'caller-supplied auth headers are not allowed');
});
