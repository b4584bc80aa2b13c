// `--http [host:]port`: the strict parse and the loopback rule (Decision 15, transports.md §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackAddress, parseListenAddress } from '../../src/transport-http/index.js';
import { fakeProxy, startHttp } from './_harness.js';

test('a port alone binds 127.0.0.1; hosts are IP literals or localhost; IPv6 in brackets', () => {
  assert.deepEqual(parseListenAddress('19790', false), { host: '127.0.0.1', port: 19790 });
  assert.deepEqual(parseListenAddress('0', false), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('localhost:8080', false), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseListenAddress('127.0.0.2:8080', false), { host: '127.0.0.2', port: 8080 });
  assert.deepEqual(parseListenAddress('[::1]:8080', false), { host: '::1', port: 8080 });
  assert.deepEqual(parseListenAddress('0.0.0.0:8080', true), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListenAddress('[::]:8080', true), { host: '::', port: 8080 });
});

test('garbage is a usage error (exit 2)', () => {
  for (const raw of ['', 'abc', '8080x', ' 8080', '+80', '65536', '999999', ':8080', '127.0.0.1:', '::1:8080', '[127.0.0.1]:80', 'example.com:80', '127.0.0.1:80:80', '[::1]8080', '-1']) {
    assert.throws(() => parseListenAddress(raw, true), (e: { code?: string; message?: string }) => e.code === 'usage' && /--http/.test(e.message ?? ''), JSON.stringify(raw));
  }
});

test('a non-loopback host needs --allow-remote', () => {
  for (const raw of ['0.0.0.0:80', '[::]:80', '192.168.1.5:80', '[::ffff:127.0.0.1]:80']) {
    assert.throws(() => parseListenAddress(raw, false), { code: 'usage', message: `--http ${raw} is not a loopback address; pass --allow-remote to listen on it` });
  }
  assert.equal(isLoopbackAddress('127.255.0.1'), true);
  assert.equal(isLoopbackAddress('0:0:0:0:0:0:0:1'), true);
  assert.equal(isLoopbackAddress('::2'), false);
  assert.equal(isLoopbackAddress('128.0.0.1'), false);
});

test('the server binds loopback by default and refuses a remote host without allowRemote', async () => {
  const server = await startHttp(fakeProxy());
  try {
    assert.equal(server.address.host, '127.0.0.1');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await server.close();
  }
  await assert.rejects(startHttp(fakeProxy(), { host: '0.0.0.0' }), { code: 'daemon_error', message: "refusing to serve HTTP on non-loopback address '0.0.0.0' without --allow-remote" });
});

test('a taken port is a daemon error naming the address', async () => {
  const first = await startHttp(fakeProxy());
  try {
    await assert.rejects(startHttp(fakeProxy(), { port: first.address.port }), { code: 'daemon_error', message: `failed binding aivaultd HTTP listener '${first.url}': Address in use (os error 98)` });
  } finally {
    await first.close();
  }
});
