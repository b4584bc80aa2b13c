// Envelope building (cli.md §7.2): payload vs manual mode and every message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnvelope, parseHeader, type InvokeFlagValues } from '../../src/cli/invoke/build-envelope.js';

const none: InvokeFlagValues = { headers: [], multipartFields: [], multipartFiles: [] };
const one = { methods: ['POST'], pathPrefixes: ['/v1/chat/completions'] };
const multi = { methods: ['GET', 'POST'], pathPrefixes: ['/a', '/b'] };

function fails(fn: () => unknown, message: string) {
  assert.throws(fn, (e: Error) => e.message === message, message);
}

test('manual mode defaults method and path from a single-choice shape, every key spelled out', () => {
  assert.deepEqual(buildEnvelope('openai/chat-completions', none, one), {
    capability: 'openai/chat-completions',
    credential: null,
    request: { method: 'POST', path: '/v1/chat/completions', headers: [], body: null, multipart: null, multipartFiles: [], bodyFilePath: null, url: null },
  });
});

test('manual mode messages for several choices, unknown shapes and blank flags', () => {
  fails(() => buildEnvelope('c', none, multi), '--method is required because capability allows multiple methods: GET, POST');
  fails(() => buildEnvelope('c', { ...none, method: 'GET' }, multi), '--path is required because capability allows multiple path prefixes: /a, /b');
  fails(() => buildEnvelope('c', none, undefined), '--method is required (capability policy not available locally)');
  fails(() => buildEnvelope('c', { ...none, method: 'GET' }, undefined), '--path is required (capability policy not available locally)');
  fails(() => buildEnvelope('c', { ...none, method: '  ' }, one), '--method cannot be empty');
  fails(() => buildEnvelope('c', { ...none, path: '' }, one), '--path cannot be empty');
  assert.equal(buildEnvelope('c', { ...none, method: ' get ', path: ' /x ' }, undefined).request.method, 'get');
});

test('--header accepts NAME=VALUE and Name: value; whichever separator comes first wins', () => {
  assert.deepEqual(parseHeader('content-type=application/json'), { name: 'content-type', value: 'application/json' });
  assert.deepEqual(parseHeader('X-Custom: value'), { name: 'X-Custom', value: 'value' });
  assert.deepEqual(parseHeader('X-Time: 12:00=noon'), { name: 'X-Time', value: '12:00=noon' });
  assert.deepEqual(parseHeader('X-Eq=a: b'), { name: 'X-Eq', value: 'a: b' });
  assert.deepEqual(parseHeader(' X =  keep '), { name: 'X', value: '  keep ' }, '= keeps the value verbatim');
  fails(() => parseHeader('novalue'), "invalid --header 'novalue'; expected KEY=VALUE");
  fails(() => parseHeader(' =v'), "invalid --header ' =v'; key cannot be empty");
});

test('multipart fields and files; duplicates and body-mode conflicts', () => {
  const e = buildEnvelope('c', { ...none, multipartFields: ['model=whisper-1'], multipartFiles: ['file=/tmp/a.wav'] }, one);
  assert.deepEqual(e.request.multipart, { model: 'whisper-1' });
  assert.deepEqual(e.request.multipartFiles, [{ field: 'file', path: '/tmp/a.wav' }]);
  fails(() => buildEnvelope('c', { ...none, multipartFields: ['a=1', ' a =2'] }, one), "duplicate multipart field 'a'");
  fails(() => buildEnvelope('c', { ...none, multipartFields: ['x'] }, one), "invalid --multipart-field 'x'; expected KEY=VALUE");
  fails(() => buildEnvelope('c', { ...none, multipartFiles: ['=p'] }, one), "invalid --multipart-file '=p'; key cannot be empty");
  fails(() => buildEnvelope('c', { ...none, body: 'x', bodyFilePath: '/p' }, one), 'only one of --body, --body-file-path, or multipart flags is allowed');
  fails(() => buildEnvelope('c', { ...none, body: 'x', multipartFields: ['a=1'] }, one), 'only one of --body, --body-file-path, or multipart flags is allowed');
});

test('--credential is trimmed; blank means not given in manual mode', () => {
  assert.equal(buildEnvelope('c', { ...none, credential: ' openai ' }, one).credential, 'openai');
  assert.equal(buildEnvelope('c', { ...none, credential: '  ' }, one).credential, null);
});

test('payload mode: full envelope, bare request, capability and credential rules', () => {
  const bare = buildEnvelope('c', { ...none, payload: '{"method":"GET","path":"/v1/models"}' }, undefined);
  assert.equal(bare.capability, 'c');
  assert.equal(bare.request.path, '/v1/models');
  assert.deepEqual(bare.request.headers, []);
  const full = buildEnvelope('c', { ...none, payload: '{"capability":"","credential":null,"request":{"method":"GET","path":"/x","url":null}}' }, undefined);
  assert.equal(full.capability, 'c', 'a blank envelope capability takes the command id');
  fails(() => buildEnvelope('c', { ...none, payload: '{"capability":"d","request":{"method":"GET","path":"/"}}' }, undefined), "request capability 'd' does not match command capability 'c'");
  fails(() => buildEnvelope('c', { ...none, payload: '{"credential":"a","capability":"c","request":{"method":"GET","path":"/"}}', credential: 'b' }, undefined), 'credential provided in both payload and --credential');
  fails(() => buildEnvelope('c', { ...none, payload: '{"method":"GET","path":"/"}', credential: ' ' }, undefined), '--credential cannot be empty');
  assert.equal(buildEnvelope('c', { ...none, payload: '{"method":"GET","path":"/"}', credential: 'z' }, undefined).credential, 'z');
});

test('payload mode rejects unknown keys, missing method/path and bad JSON', () => {
  const bad = (payload: string, re: RegExp) =>
    assert.throws(() => buildEnvelope('c', { ...none, payload }, one), (e: Error) => e.message.startsWith('invalid request payload JSON: ') && re.test(e.message));
  bad('{', /JSON|Expected/);
  bad('{"method":"GET","path":"/","extra":1}', /unknown field 'extra'/);
  bad('{"method":"GET"}', /missing field 'path'/);
  bad('{"capability":"c","request":{"method":"GET","path":"/","x":1}}', /unknown field 'x'/);
  // A payload's url is passed on so the broker can refuse it (request.url is not allowed).
  assert.equal(buildEnvelope('c', { ...none, payload: '{"method":"GET","path":"/","url":"https://x"}' }, one).request.url, 'https://x');
});
