// The WebSocket relay's upstream dialler (transport-inproc/upstream-socket.ts) keeps the undici
// upstream's rules: the SSRF deny list on IP literals and on every resolved address, the dev CA,
// and AIVAULT_DEV_RESOLVE (dial the mapped address, SNI unchanged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUpstreamSocketConnector, parseDevResolve } from '../../src/transport-inproc/index.js';
import { startHttpsUpstream } from '../fakes/https-upstream.js';

test('IP literals and names resolving to a denied address are refused (policy_violation)', async () => {
  const connect = createUpstreamSocketConnector({ lookup: async () => [{ address: '10.0.0.7', family: 4 }] });
  for (const host of ['127.0.0.1', '[::1]', '169.254.169.254', 'internal.example']) {
    await assert.rejects(connect({ host, port: 443 }), { code: 'policy_violation', message: 'upstream host blocked by SSRF guard' }, host);
  }
});

test('a dev-resolved host is dialled at its mapping with SNI unchanged; the extra CA is trusted, the default roots alone are not', async () => {
  const upstream = await startHttpsUpstream({ hostnames: ['api.openai.com'] });
  try {
    const resolve = parseDevResolve(upstream.devResolve);
    const socket = await createUpstreamSocketConnector({ resolve, extraCaPem: [upstream.caPem] })({ host: 'api.openai.com', port: 443 });
    assert.equal(socket.servername, 'api.openai.com');
    assert.equal(socket.remotePort, upstream.port);
    socket.destroy();
    await assert.rejects(createUpstreamSocketConnector({ resolve })({ host: 'api.openai.com', port: 443 }), /certificate/i);
  } finally {
    await upstream.close();
  }
});
