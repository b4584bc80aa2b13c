// `setup agent-access` (cli.md §12.1) and `setup systemd` (§12.3): root only, idempotent, --dry-run prints instead of running,
// failures name the command. The command runner is injected, so nothing on this machine changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { parseArgs } from '../../src/cli/args.js';
import { COMMAND_SPECS } from '../../src/cli/command-specs.js';
import { createCliContext } from '../../src/cli/context.js';
import { runSetup, SYSTEMD_UNIT_PATH, type CommandRunner } from '../../src/cli/commands/setup.js';
import { run } from './_helpers/fake-io.js';

const SHARED = '/tmp/aivault-setup-test/run/aivaultd.sock';

function harness(argv: string[], statuses: Record<string, number> = {}) {
  let out = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  const ctx = createCliContext({ env: { AIVAULTD_SHARED_SOCKET: SHARED }, stdin: new PassThrough(), stdout, stderr: stdout, uid: 0 });
  const calls: string[] = [];
  const runner: CommandRunner = async (program, args) => {
    const line = [program, ...args].join(' ');
    calls.push(line);
    return statuses[program] ?? 0;
  };
  const args = parseArgs(argv, COMMAND_SPECS['setup agent-access']!);
  return { go: () => runSetup('agent-access', args, ctx, runner), calls, output: () => out };
}

test('creates the group when missing, adds both users, makes the setgid socket dir, prints next steps', async () => {
  const h = harness(['--agent-user', 'agent', '--daemon-user', 'op'], { getent: 2 });
  assert.equal(await h.go(), 0);
  assert.deepEqual(h.calls, [
    'getent group aivault',
    'groupadd aivault',
    'usermod -aG aivault op',
    'usermod -aG aivault agent',
    'install -d -m 2750 -o op -g aivault /tmp/aivault-setup-test/run',
  ]);
  assert.match(h.output(), /Configured shared socket directory: \/tmp\/aivault-setup-test\/run/);
  assert.match(h.output(), /Added users to group 'aivault': op, agent/);
  assert.match(h.output(), /Next steps:/);
});

test('is idempotent: an existing group is not created again', async () => {
  const h = harness(['--agent-user', 'agent', '--daemon-user', 'op'], { getent: 0 });
  await h.go();
  assert.ok(!h.calls.includes('groupadd aivault'));
});

test('--dry-run prints the mutating commands and runs only the probe', async () => {
  const h = harness(['--agent-user', 'agent', '--daemon-user', 'op', '--dry-run'], { getent: 2 });
  await h.go();
  assert.deepEqual(h.calls, ['getent group aivault']);
  assert.match(h.output(), /^\$ groupadd aivault\n\$ usermod -aG aivault op\n\$ usermod -aG aivault agent\n\$ install -d -m 2750 -o op -g aivault \/tmp\/aivault-setup-test\/run\n/);
});

test('a failing command stops with its name and status', async () => {
  const h = harness(['--agent-user', 'agent', '--daemon-user', 'op'], { getent: 0, usermod: 6 });
  await assert.rejects(h.go(), /command failed: usermod \(exit 6\)/);
});

test('root only, agent user required, daemon user from SUDO_USER', async () => {
  const notRoot = await run(['setup', 'agent-access', '--agent-user', 'agent'], { uid: 1000 });
  assert.equal(notRoot.code, 1);
  assert.equal(notRoot.stderr, 'this command requires sudo/root\n');
  const noAgent = await run(['setup', 'agent-access', '--dry-run'], { uid: 0 });
  assert.equal(noAgent.stderr, '--agent-user is required\n');
  const noDaemon = await run(['setup', 'agent-access', '--agent-user', 'agent', '--dry-run'], { uid: 0, env: { SUDO_USER: '' } });
  assert.equal(noDaemon.stderr, 'missing --daemon-user (and $SUDO_USER is not set)\n');
});

test('setup systemd: root only, --daemon-user required, --dry-run prints the unit and the systemctl lines', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aivault-systemd-'));
  try {
    await writeFile(join(dir, 'aivaultd.js'), '');
    const scriptPath = join(dir, 'aivault');
    const notRoot = await run(['setup', 'systemd', '--daemon-user', 'op', '--dry-run'], { uid: 1000, scriptPath });
    assert.deepEqual([notRoot.code, notRoot.stderr], [1, 'this command requires sudo/root\n']);
    const blank = await run(['setup', 'systemd', '--daemon-user', ' ', '--dry-run'], { uid: 0, scriptPath });
    assert.deepEqual([blank.code, blank.stderr], [1, '--daemon-user is required\n']);
    const r = await run(['setup', 'systemd', '--daemon-user', 'op', '--dry-run'], { uid: 0, scriptPath });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `Would write: ${SYSTEMD_UNIT_PATH}`);
    assert.equal(SYSTEMD_UNIT_PATH, '/etc/systemd/system/aivaultd-shared.service');
    for (const line of ['[Unit]', 'After=network.target', '[Service]', 'Type=simple', 'User=op', 'Group=aivault', `ExecStart=${join(dir, 'aivaultd.js')} --shared`, 'Restart=on-failure', 'RestartSec=1', '[Install]', 'WantedBy=multi-user.target']) {
      assert.ok(lines.includes(line), `unit line ${line}`);
    }
    assert.match(lines.find((l) => l.startsWith('Description='))!, /aivaultd --shared/);
    assert.ok(r.stdout.endsWith('$ systemctl daemon-reload\n$ systemctl enable --now aivaultd-shared.service\n'), r.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
