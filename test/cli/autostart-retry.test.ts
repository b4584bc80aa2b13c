// The one autostart retry loop shared by `invoke` and `unlock` (daemon.md §6.5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerError } from '../../src/core/broker-error.js';
import { connectError } from '../../src/core/protocol/wire-errors.js';
import { isConnectFailure, retryAfterAutostart, type SpawnedDaemon } from '../../src/cli/invoke/daemon-route.js';

const PATH = '/run/aivaultd.sock';
const refused = () => connectError(PATH, 'Connection refused (os error 111)', 'ECONNREFUSED');

function child(exitedAfter = Infinity): SpawnedDaemon & { checks: number } {
  const c = { checks: 0, exited: new Promise<void>(() => {}), hasExited: () => ++c.checks >= exitedAfter };
  return c;
}

test('retries connect failures until the daemon answers', async () => {
  let tries = 0;
  const result = await retryAfterAutostart(PATH, child(), async () => {
    if (++tries < 4) throw refused();
    return 'up';
  }, { stepMs: 1, forMs: 5000 });
  assert.equal(result, 'up');
  assert.equal(tries, 4);
});

test('a non-connect error passes through on the first try', async () => {
  let tries = 0;
  const boom = new BrokerError({ code: 'vault_locked', message: 'vault is locked' });
  await assert.rejects(retryAfterAutostart(PATH, child(), async () => {
    tries++;
    throw boom;
  }, { stepMs: 1 }), (e) => e === boom);
  assert.equal(tries, 1);
});

test('a child that dies stops the loop with the contract message, still a connect failure', async () => {
  let tries = 0;
  await assert.rejects(retryAfterAutostart(PATH, child(3), async () => {
    tries++;
    throw refused();
  }, { stepMs: 1, forMs: 60_000 }), (e: unknown) => {
    assert.ok(e instanceof BrokerError);
    assert.equal(e.code, 'daemon_error');
    assert.equal(e.message, `failed connecting to aivaultd at '${PATH}' after autostart`);
    assert.ok(isConnectFailure(e));
    return true;
  });
  assert.equal(tries, 3);
});

test('the deadline ends the loop when the child keeps running', async () => {
  await assert.rejects(retryAfterAutostart(PATH, child(), async () => { throw refused(); }, { stepMs: 1, forMs: 0 }), /after autostart/);
});
