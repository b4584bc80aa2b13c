// The socket client's error classes (daemon.md §5.7), its exact request bytes, and the path/env rules (§1-§2).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { BrokerError, renderErrorText, wireErrorKind, type InvokeRequest } from '../../src/core/index.js';
import {
  autostartEnabled,
  autostartOnce,
  clientSocketCandidates,
  createSocketTransport,
  daemonModes,
  daemonSocketPath,
  isTruthy,
  parseOctalMode,
  resolveAivaultPaths,
} from '../../src/transport-socket/index.js';
import { tempDir } from './_harness.js';
import { closeServer, startFakeDaemon } from './_raw.js';

const REQ: InvokeRequest = { envelope: { capability: 'acme/users', request: { method: 'GET', path: '/v2/users' } }, clientIp: '127.0.0.1' };

async function failure(promise: Promise<unknown>): Promise<BrokerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BrokerError);
    return error;
  }
  return assert.fail('expected a failure');
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of stream);
}

async function withFakeDaemon(reply: string | ((request: string) => string), fn: (path: string) => Promise<void>) {
  const dir = await tempDir();
  const path = join(dir, 'd.sock');
  const server = await startFakeDaemon(path, reply);
  try {
    await fn(path);
  } finally {
    await closeServer(server);
    await rm(dir, { recursive: true, force: true });
  }
}

describe('socket client', () => {
  it('reports a missing socket as a connect failure', async () => {
    const dir = await tempDir();
    await rm(dir, { recursive: true, force: true });
    const path = join(dir, 'none.sock');
    const error = await failure(createSocketTransport({ path }).invoke(REQ));
    assert.equal(renderErrorText(error), `failed connecting to aivaultd at '${path}': No such file or directory (os error 2)`);
    assert.equal(wireErrorKind(error), 'connect');
    assert.equal(wireErrorKind(await failure(createSocketTransport({ path, persistent: true }).status())), 'connect');
  });

  it('sends the original client request shape, key order and nulls included', async () => {
    let seen = '';
    const ok = '{"ok":true,"value":{"planned":{"capability":"a","credential":"c","method":"GET","url":"u"},"response":{"status":200,"headers":[],"bodyUtf8":"","bodyB64":""}}}';
    await withFakeDaemon((request) => ((seen = request), ok), async (path) => {
      await createSocketTransport({ path }).invoke(REQ);
    });
    assert.equal(
      seen,
      '{"op":"execute_envelope","envelope":{"capability":"acme/users","credential":null,"request":{"method":"GET","path":"/v2/users","headers":[],"body":null,"multipart":null,"multipartFiles":[],"bodyFilePath":null,"url":null}},"client_ip":"127.0.0.1","timeoutMs":null,"workspace_id":null,"group_id":null}',
    );
  });

  for (const [reply, detail] of [
    ['not json', 'unparsable response JSON'],
    ['{"ok":true}', 'missing value in aivaultd response'],
    ['{"ok":true,"value":{"planned":1}}', 'malformed result value'],
    ['', 'empty response'],
  ] as const) {
    it(`reports "${detail}" as a protocol error`, () =>
      withFakeDaemon(reply, async (path) => {
        const error = await failure(createSocketTransport({ path }).invoke(REQ));
        assert.equal(renderErrorText(error), `invalid response from aivaultd at '${path}': ${detail}`);
        assert.equal(wireErrorKind(error), 'protocol');
      }));
  }

  it('keeps remote text verbatim, and names a missing one', async () => {
    await withFakeDaemon('{"ok":false,"error":"secret not accessible"}', async (path) => {
      const error = await failure(createSocketTransport({ path }).invoke(REQ));
      assert.deepEqual([renderErrorText(error), error.code, wireErrorKind(error)], ['secret not accessible', 'secret_not_accessible', 'remote']);
    });
    await withFakeDaemon('{"ok":false}', async (path) => {
      assert.equal(renderErrorText(await failure(createSocketTransport({ path }).invoke(REQ))), 'unknown aivaultd error');
    });
  });

  for (const [reply, detail] of [
    ['{"type":"chunk","bodyB64":"YQ=="}\n', 'stream ended before daemon end frame'],
    ['{"type":"chunk","bodyB64":"YQ"}\n{"type":"end"}\n', 'invalid base64 in chunk frame'],
    ['{"type":"mystery"}\n', 'bad stream frame'],
  ] as const) {
    it(`reports "${detail}" as a streaming protocol error`, () =>
      withFakeDaemon(reply, async (path) => {
        const error = await failure(drain(createSocketTransport({ path }).stream(REQ)));
        assert.equal(renderErrorText(error), `invalid streaming response from aivaultd at '${path}': ${detail}`);
      }));
  }

  it('accepts a final end frame without a trailing newline, and the non-frame parse reply', async () => {
    await withFakeDaemon('{"type":"chunk","bodyB64":"YQ=="}\n{"type":"end"}', (path) => drain(createSocketTransport({ path }).stream(REQ)));
    await withFakeDaemon('{"ok":false,"error":"invalid request JSON: missing field `envelope`"}', async (path) => {
      const error = await failure(drain(createSocketTransport({ path }).stream(REQ)));
      assert.equal(renderErrorText(error), 'invalid request JSON: missing field `envelope`');
    });
  });
});

describe('socket paths and AIVAULTD_* rules', () => {
  const paths = (env: Record<string, string>) => resolveAivaultPaths({ env, osHome: '/home/u', tmpdir: '/tmp', platform: 'linux' });

  it('resolves per-user, shared and AIVAULT_DIR paths', () => {
    const p = paths({});
    assert.deepEqual([p.vaultRoot, p.userSocket, p.sharedSocket], ['/home/u/.aivault/data/vault', '/home/u/.aivault/run/aivaultd.sock', '/var/run/aivault/aivaultd.sock']);
    const d = paths({ AIVAULT_DIR: ' /v ' });
    assert.deepEqual([d.vaultRoot, d.userSocket, d.managedSocketDirs], ['/v', '/v/run/aivaultd.sock', ['/home/u/.aivault/run', '/v/run']]);
    assert.equal(resolveAivaultPaths({ env: {}, tmpdir: '/tmp', platform: 'darwin' }).aivaultRoot, '/tmp/aivault-no-home');
    assert.equal(resolveAivaultPaths({ env: {}, osHome: '/h', tmpdir: '/tmp', platform: 'darwin' }).sharedSocket, '/Users/Shared/aivault/run/aivaultd.sock');
  });

  it('chooses client sockets per §1.1 and the daemon socket per §1.2', () => {
    assert.deepEqual(clientSocketCandidates(paths({ AIVAULTD_SOCKET: '/x.sock' }), { AIVAULTD_SOCKET: '/x.sock' }), ['/x.sock']);
    assert.deepEqual(clientSocketCandidates(paths({}), {}), ['/home/u/.aivault/run/aivaultd.sock', '/var/run/aivault/aivaultd.sock']);
    assert.deepEqual(clientSocketCandidates(paths({ AIVAULT_DIR: '/v' }), { AIVAULT_DIR: '/v' }), ['/v/run/aivaultd.sock']);
    const env = { AIVAULT_DIR: '/v', AIVAULTD_SHARED_SOCKET: '/s.sock' };
    assert.deepEqual(clientSocketCandidates(paths(env), env), ['/v/run/aivaultd.sock', '/s.sock']);
    const p = paths({ AIVAULTD_SOCKET: '/ignored-by-daemon' });
    assert.equal(daemonSocketPath(p, {}), '/home/u/.aivault/run/aivaultd.sock');
    assert.equal(daemonSocketPath(p, { shared: true }), '/var/run/aivault/aivaultd.sock');
    assert.equal(daemonSocketPath(p, { socket: '  ', shared: true }), '/var/run/aivault/aivaultd.sock');
    assert.equal(daemonSocketPath(p, { socket: ' /e.sock ' }), '/e.sock');
  });

  it('applies the truthiness, autostart and octal rules of §2', () => {
    assert.deepEqual(['1', 'true', 'TRUE', 'yes', 'YES', ' 1', 'True', 'on', ''].map(isTruthy), [true, true, true, true, true, false, false, false, false]);
    assert.equal(autostartEnabled({}), true);
    assert.equal(autostartEnabled({ AIVAULTD_AUTOSTART: ' yes ' }), true);
    assert.equal(autostartEnabled({ AIVAULTD_AUTOSTART: '' }), false);
    assert.equal(autostartEnabled({ AIVAULTD_AUTOSTART: '0' }), false);
    assert.equal(autostartOnce({ AIVAULT_DIR: '/v' }), true);
    assert.equal(autostartOnce({ AIVAULTD_AUTOSTART_ONCE: 'YES' }), true);
    assert.deepEqual(['600', '0660', '0o750', ' 0700 ', '', '8', '0o', 'abc'].map(parseOctalMode), [0o600, 0o660, 0o750, 0o700, undefined, undefined, undefined, undefined]);
    assert.deepEqual(daemonModes({}, false), { socketMode: 0o600, dirMode: undefined });
    assert.deepEqual(daemonModes({}, true), { socketMode: 0o660, dirMode: 0o750 });
    assert.deepEqual(daemonModes({ AIVAULTD_SOCKET_MODE: '0640', AIVAULTD_SOCKET_DIR_MODE: 'bad' }, true), { socketMode: 0o640, dirMode: 0o750 });
  });
});
