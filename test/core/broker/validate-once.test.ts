// The envelope is validated once: the daemon's wire decoder validates and normalises it with the
// broker's own schema and records it, so `broker.handle` does not validate it a second time;
// anything else handed to `broker.handle` is still validated, and both error texts are unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, harness } from './_harness.js';
import { decodeRequest, type ExecuteWireRequest } from '../../../src/core/protocol/request-codec.js';
import { isValidated, parseEnvelope } from '../../../src/core/broker/envelope-schema.js';

const wire = (envelope: unknown) =>
  new TextEncoder().encode(JSON.stringify({ op: 'execute_envelope', envelope, client_ip: '127.0.0.1', timeoutMs: null }));
const decodeEnvelope = (envelope: unknown) => (decodeRequest(wire(envelope)) as ExecuteWireRequest).envelope;

test('the wire decoder yields the envelope as sent, recorded as validated; plain objects are not', () => {
  const decoded = decodeEnvelope(env({ headers: [{ name: 'X-A', value: '1', extra: true }], body: null, url: null }, { credential: null }));
  const request = { method: 'GET', path: '/v2/users', headers: [{ name: 'X-A', value: '1' }], body: null, url: null };
  assert.deepEqual(decoded, { capability: 'acme/users', request, credential: null });
  assert.equal(isValidated(decoded), true);
  assert.equal(isValidated(parseEnvelope(env())), false);
  assert.equal(isValidated({ ...decoded }), false);
  assert.equal(isValidated(null), false);
  assert.equal(isValidated('x'), false);
});

test('the wire decoder keeps its own error text for envelope failures', () => {
  const cases: Array<[unknown, string]> = [
    [env({ nope: 1 }), 'invalid request JSON: unknown field `envelope.request.nope`'],
    [env({}, { nope: 1 }), 'invalid request JSON: unknown field `envelope.nope`'],
    [env({ method: 7 }), 'invalid request JSON: invalid type at `envelope.request.method`: expected string'],
    [{ capability: 'acme/users' }, 'invalid request JSON: missing field `envelope.request`'],
  ];
  for (const [envelope, message] of cases) assert.throws(() => decodeEnvelope(envelope), { message });
});

test('broker.handle does not re-validate a decoded envelope but validates a look-alike copy', async () => {
  const hh = harness();
  const decoded = decodeEnvelope(env({ body: null, url: null }, { credential: null }));
  const copy = { ...decoded, extra: 1 };
  Object.assign(decoded, { extra: 1 }); // only a second validation could notice this
  assert.equal((await hh.invoke(decoded)).response.status, 200); // and its nulls are normalised away
  assert.equal(hh.mock.requests[0]!.url, 'https://api.acme.example/v2/users');
  const error = await hh.refuse(copy);
  assert.equal(error.code, 'invalid_request');
  assert.equal(error.message, 'invalid envelope JSON: unknown field `extra` in envelope');
});
