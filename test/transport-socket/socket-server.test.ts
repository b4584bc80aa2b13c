// aivaultd start-up and lifecycle (daemon.md §4, security.md §11): modes, stale socket, --once, pid file, graceful close.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSocketServer, createSocketTransport } from '../../src/transport-socket/index.js';
import { BrokerError, wireErrorKind } from '../../src/core/index.js';
import { createFakeService } from '../contract/fake-service.js';
import { startSocketServer, tempDir } from './_harness.js';
import { rawExchange } from './_raw.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;
const STATUS = '{"op":"status"}';

describe('socket server start-up', () => {
  it('creates a new directory 0700, the socket 0600 and a pid file', async () => {
    const fixture = await startSocketServer(createFakeService(), { pid: 4242 });
    try {
      assert.equal(await modeOf(join(fixture.dir, 'run')), 0o700);
      assert.equal(await modeOf(fixture.path), 0o600);
      assert.equal(await readFile(`${fixture.path}.pid`, 'utf8'), '4242\n');
      assert.equal(await modeOf(`${fixture.path}.pid`), 0o600);
    } finally {
      await fixture.close();
    }
    assert.equal(existsSync(`${fixture.path}.pid`), false);
  });

  it('never chmods an existing unmanaged directory, but does a managed one', async () => {
    const dir = await tempDir();
    const plain = join(dir, 'plain');
    const managed = join(dir, 'managed');
    await mkdir(plain, { mode: 0o755 });
    await mkdir(managed, { mode: 0o755 });
    await chmod(plain, 0o755);
    await chmod(managed, 0o755);
    const a = await createSocketServer({ service: createFakeService(), path: join(plain, 's.sock') });
    const b = await createSocketServer({ service: createFakeService(), path: join(managed, 's.sock'), managedDirs: [managed] });
    try {
      assert.equal(await modeOf(plain), 0o755);
      assert.equal(await modeOf(managed), 0o700);
    } finally {
      await a.close();
      await b.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('applies shared modes (0660 socket, 0750 directory) to any parent', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o755);
    const path = join(dir, 'aivaultd.sock');
    const server = await createSocketServer({ service: createFakeService(), path, socketMode: 0o660, dirMode: 0o750 });
    try {
      assert.equal(await modeOf(dir), 0o750);
      assert.equal(await modeOf(path), 0o660);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('replaces whatever is at the socket path (stale socket or file)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'aivaultd.sock');
    await writeFile(path, 'stale');
    const first = await createSocketServer({ service: createFakeService(), path });
    const second = await createSocketServer({ service: createFakeService(), path, pidFile: false });
    try {
      assert.equal(JSON.parse(await rawExchange(path, STATUS)).ok, true);
      await first.close();
      assert.equal(JSON.parse(await rawExchange(path, STATUS)).ok, true, 'closing the old daemon keeps the new socket');
    } finally {
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails start-up when the stale path cannot be removed', async () => {
    const dir = await tempDir();
    const path = join(dir, 'aivaultd.sock');
    await mkdir(join(path, 'child'), { recursive: true });
    await assert.rejects(createSocketServer({ service: createFakeService(), path }), (error: unknown) => {
      assert.ok(error instanceof BrokerError);
      assert.ok(error.message.startsWith(`failed removing stale socket '${path}': `), error.message);
      return true;
    });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('socket server lifecycle', () => {
  it('--once serves exactly one connection, then stops; the socket file stays (daemon.md §4 step 7), the pid file goes', async () => {
    const dir = await tempDir();
    const path = join(dir, 'aivaultd.sock');
    const server = await createSocketServer({ service: createFakeService(), path, once: true });
    assert.equal(JSON.parse(await rawExchange(path, STATUS)).ok, true);
    await server.done;
    assert.equal(existsSync(path), true);
    assert.deepEqual((await readdir(dir)).sort(), ['aivaultd.sock'], 'no guard link left behind');
    assert.equal(existsSync(`${path}.pid`), false);
    await assert.rejects(createSocketTransport({ path }).status(), (error: unknown) => wireErrorKind(error) === 'connect');
    await rm(dir, { recursive: true, force: true });
  });

  it('close() lets an in-flight stream finish before resolving', async () => {
    const service = createFakeService();
    const fixture = await startSocketServer(service);
    const transport = createSocketTransport({ path: fixture.path });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of transport.stream({ envelope: { capability: 'test/hold', request: { method: 'GET', path: '/' } }, clientIp: '127.0.0.1' })) {
        seen.push(Buffer.from(chunk).toString());
      }
    })();
    await service.firstChunkSent.promise;
    let closed = false;
    const closing = fixture.server.close().then(() => (closed = true));
    await assert.rejects(createSocketTransport({ path: fixture.path }).status(), (error: unknown) => wireErrorKind(error) === 'connect');
    assert.equal(closed, false);
    service.release.resolve();
    await reading;
    await closing;
    assert.deepEqual(seen, ['held-1', 'held-2']);
    assert.equal(existsSync(fixture.path), false);
    await fixture.close();
  });

  it('close() ends idle persistent connections after their in-flight calls', async () => {
    const fixture = await startSocketServer(createFakeService());
    const transport = createSocketTransport({ path: fixture.path, persistent: true });
    assert.deepEqual(await transport.status(), { locked: true });
    assert.deepEqual(await transport.status(), { locked: true });
    assert.equal(fixture.server.connectionCount(), 1, 'one multiplexed connection carries every call');
    await fixture.server.close();
    assert.equal(fixture.server.connectionCount(), 0);
    await transport.close();
    await fixture.close();
  });
});
