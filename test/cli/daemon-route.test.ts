// Socket choice, fallback and autostart of the invoke path (daemon.md §6, cli.md §7.4-§7.5), with fake transports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectError, errorFromWireText } from '../../src/core/protocol/wire-errors.js';
import type { Transport } from '../../src/core/transport.js';
import { localAttempt, shouldFallBack, thinAttempt, type RouteDeps, type SpawnedDaemon } from '../../src/cli/invoke/daemon-route.js';
import type { SocketChoice } from '../../src/cli/socket-paths.js';
import { socketChoice, autostartEnabled, autostartOnce, isTruthy } from '../../src/cli/socket-paths.js';

const USER = '/home/u/.aivault/run/aivaultd.sock';
const SHARED = '/var/run/aivault/aivaultd.sock';
const base: SocketChoice = { explicit: undefined, user: USER, shared: SHARED, isolatedDir: false, sharedOverride: false };

interface Fake {
  deps: RouteDeps;
  tried: string[];
  spawned: Array<{ path: string; once: boolean }>;
}

/** `up` lists sockets that answer; `upAfterSpawn` makes a socket answer from the n-th try after a spawn. */
function fake(up: string[], options: Partial<RouteDeps> & { upAfterSpawn?: number; sharedDirExists?: boolean; remoteError?: string } = {}): Fake {
  const tried: string[] = [];
  const spawned: Fake['spawned'] = [];
  let triesAfterSpawn = 0;
  const live = new Set(up);
  const deps: RouteDeps = {
    autostart: true,
    once: false,
    retryMs: 1,
    retryForMs: 500,
    connect: async (path) => {
      tried.push(path);
      if (spawned.length > 0) triesAfterSpawn++;
      const ok = live.has(path) || (spawned.some((s) => s.path === path) && triesAfterSpawn >= (options.upAfterSpawn ?? 1));
      const transport: Transport = {
        invoke: async () => {
          if (!ok) throw connectError(path, 'Connection refused (os error 111)', 'ECONNREFUSED');
          if (options.remoteError !== undefined) throw errorFromWireText(options.remoteError);
          return { planned: { capability: 'c', credential: 'k', method: 'GET', url: `https://x${path}` }, response: { status: 200, headers: [], bodyUtf8: 'ok', bodyB64: 'b2s=' } };
        },
        stream: () => (async function* () {})(),
        close: async () => undefined,
      };
      return transport;
    },
    spawnDaemon: async (path, once) => {
      spawned.push({ path, once });
      const d: SpawnedDaemon = { exited: Promise.resolve(), hasExited: () => false };
      return d;
    },
    dirExists: async () => options.sharedDirExists ?? false,
    ...options,
  };
  return { deps, tried, spawned };
}

const call = (t: Transport) => t.invoke({ envelope: { capability: 'c', request: { method: 'GET', path: '/' } }, clientIp: '127.0.0.1' });

async function rejects(p: Promise<unknown>, message: string) {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.message, message);
    return true;
  });
}

test('thin: per-user first, then the shared socket', async () => {
  const f = fake([SHARED]);
  const r = await thinAttempt(base, f.deps, call);
  assert.equal(r.planned.url, `https://x${SHARED}`);
  assert.deepEqual(f.tried, [USER, SHARED]);
});

test('thin: both refused names both sockets', async () => {
  const f = fake([]);
  await rejects(thinAttempt(base, f.deps, call), `failed connecting to aivaultd (tried '${USER}' and '${SHARED}'): Connection refused (os error 111)`);
  assert.equal(f.spawned.length, 0, 'the thin client never autostarts');
});

test('thin: AIVAULT_DIR isolates (no shared fallthrough); AIVAULTD_SOCKET is exclusive', async () => {
  const f = fake([SHARED]);
  await rejects(thinAttempt({ ...base, isolatedDir: true }, f.deps, call), `failed connecting to aivaultd at '${USER}': Connection refused (os error 111)`);
  const g = fake(['/tmp/x.sock', USER]);
  await thinAttempt({ ...base, explicit: '/tmp/x.sock' }, g.deps, call);
  assert.deepEqual(g.tried, ['/tmp/x.sock']);
});

test('fallback: connect failures and "not available locally" only; socket variables make thin errors final', () => {
  const refused = connectError(USER, 'refused');
  assert.equal(shouldFallBack(refused, base), true);
  assert.equal(shouldFallBack(errorFromWireText('PolicyViolation: response body exceeds capability size limit'), base), false, 'never executes twice');
  assert.equal(shouldFallBack(refused, { ...base, explicit: '/s' }), false);
  assert.equal(shouldFallBack(refused, { ...base, sharedOverride: true }), false);
  assert.equal(shouldFallBack(new Error("capability 'x' is not available locally; pass --method/--path or use --request/--request-file"), { ...base, explicit: '/s' }), true);
  assert.equal(shouldFallBack(new Error('--path is required (capability policy not available locally)'), base), true);
});

test('local: AIVAULT_DIR autostarts on the per-user socket and retries until it answers', async () => {
  const f = fake([], { upAfterSpawn: 3, once: true });
  const r = await localAttempt({ ...base, isolatedDir: true }, f.deps, call);
  assert.equal(r.response.status, 200);
  assert.deepEqual(f.spawned, [{ path: USER, once: true }]);
  assert.ok(f.tried.filter((p) => p === USER).length >= 3);
});

test('local: a shared socket directory without a daemon fails closed', async () => {
  const f = fake([], { sharedDirExists: true });
  await rejects(localAttempt(base, f.deps, call), `aivaultd not running at shared socket '${SHARED}' (start it as the operator with \`aivaultd --shared\`)`);
  assert.equal(f.spawned.length, 0);
});

test('local: autostart disabled, and the shared-socket note on autostart failure', async () => {
  const f = fake([], { autostart: false });
  await rejects(localAttempt(base, f.deps, call), `aivaultd not running at '${USER}' (autostart disabled)\n(also tried shared socket '${SHARED}')`);
  const g = fake([], { autostart: false });
  await rejects(localAttempt({ ...base, isolatedDir: true }, g.deps, call), `aivaultd not running at '${USER}' (autostart disabled)`);
});

test('local: explicit socket equal to the shared one never autostarts', async () => {
  const f = fake([]);
  await rejects(localAttempt({ ...base, explicit: SHARED }, f.deps, call), `failed connecting to aivaultd at '${SHARED}' (shared socket; autostart suppressed)`);
  const g = fake([], { upAfterSpawn: 1 });
  await localAttempt({ ...base, explicit: '/tmp/mine.sock' }, g.deps, call);
  assert.deepEqual(g.spawned.map((s) => s.path), ['/tmp/mine.sock']);
});

test('local: a daemon that never comes up ends in "after autostart"', async () => {
  const f = fake([], { upAfterSpawn: Number.POSITIVE_INFINITY, retryForMs: 20 });
  await rejects(localAttempt({ ...base, isolatedDir: true }, f.deps, call), `failed connecting to aivaultd at '${USER}' after autostart`);
});

test('local: remote errors are returned verbatim, not retried', async () => {
  const f = fake([USER], { remoteError: 'PolicyViolation: method not allowed by capability' });
  await assert.rejects(localAttempt(base, f.deps, call), /^Error|method not allowed/);
  assert.deepEqual(f.tried, [USER]);
});

test('socket paths and variables (daemon.md §1-§2)', () => {
  const c = socketChoice({ AIVAULT_DIR: ' /v ' }, '/home/u', '/tmp', 'linux');
  assert.equal(c.user, '/v/run/aivaultd.sock');
  assert.equal(c.shared, '/var/run/aivault/aivaultd.sock');
  assert.equal(c.isolatedDir, true);
  assert.equal(socketChoice({}, '/home/u', '/tmp', 'darwin').shared, '/Users/Shared/aivault/run/aivaultd.sock');
  assert.equal(socketChoice({}, undefined, '/tmp', 'linux').user, '/tmp/aivault-no-home/run/aivaultd.sock');
  assert.equal(socketChoice({ AIVAULTD_SOCKET: '  ' }, '/h', '/t', 'linux').explicit, undefined);
  assert.equal(isTruthy(' 1'), false, 'AIVAULTD_DISABLE is not trimmed');
  assert.equal(autostartEnabled({ AIVAULTD_AUTOSTART: ' yes ' }), true, 'AIVAULTD_AUTOSTART is trimmed');
  assert.equal(autostartEnabled({ AIVAULTD_AUTOSTART: '0' }), false);
  assert.equal(autostartEnabled({ AIVAULTD_AUTOSTART: '' }), false);
  assert.equal(autostartEnabled({}), true);
  assert.equal(autostartOnce({ AIVAULT_DIR: '/v' }), true);
  assert.equal(autostartOnce({ AIVAULTD_AUTOSTART_ONCE: 'Yes' }), false);
});
