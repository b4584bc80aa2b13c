// The shared environment rules: the truthy-flag set and the home-directory fallback (daemon.md §1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTruthy, osHomeFor, resolveHomeDir } from '../../src/core/index.js';
import { isTruthy as wireIsTruthy, resolveHomeDir as wireResolveHomeDir } from '../../src/core/protocol/index.js';
import { resolveAivaultPaths } from '../../src/transport-socket/socket-paths.js';
import { resolveBrokerDevOptions } from '../../src/transport-inproc/dev-overrides.js';

test('isTruthy: exactly 1/true/TRUE/yes/YES, untrimmed, case-sensitive', () => {
  const inputs = ['1', 'true', 'TRUE', 'yes', 'YES', ' 1', 'yes ', 'True', 'Yes', 'on', '0', 'false', '', undefined];
  assert.deepEqual(inputs.map(isTruthy), [true, true, true, true, true, false, false, false, false, false, false, false, false, false]);
  assert.equal(wireIsTruthy, isTruthy, 'the wire barrel exports the same rule');
});

test('dev overrides use the shared flag rule', () => {
  const on = resolveBrokerDevOptions({ AIVAULT_DEV_ALLOW_HTTP_LOCAL: 'YES', AIVAULT_DEV_ALLOW_NON_DEFAULT_PORTS: ' 1', AIVAULT_DEV_ALLOW_REMOTE_CLIENTS: 'True' }, true);
  assert.equal(on.allowHttpLocal, true);
  assert.equal(on.allowNonDefaultPorts, false, 'not trimmed');
  assert.equal(on.allowRemoteClients, false, 'case-sensitive');
});

test('resolveHomeDir: OS home, else HOME, else USERPROFILE', () => {
  assert.equal(resolveHomeDir('/os/home', { HOME: '/env/home', USERPROFILE: 'C:\\u' }), '/os/home');
  assert.equal(resolveHomeDir(undefined, { HOME: '/env/home', USERPROFILE: 'C:\\u' }), '/env/home');
  assert.equal(resolveHomeDir(undefined, { USERPROFILE: 'C:\\u' }), 'C:\\u');
  assert.equal(resolveHomeDir(undefined, {}), undefined);
  assert.equal(wireResolveHomeDir, resolveHomeDir, 'the wire barrel exports the same rule');
});

test('resolveHomeDir: empty and whitespace-only values count as missing; others are used untrimmed', () => {
  assert.equal(resolveHomeDir('', { HOME: '  ', USERPROFILE: '/p' }), '/p');
  assert.equal(resolveHomeDir(' \t', { HOME: '\n', USERPROFILE: ' ' }), undefined);
  assert.equal(resolveHomeDir(undefined, { HOME: ' /h ' }), ' /h ');
});

test('resolveAivaultPaths: a whitespace-only HOME falls through to USERPROFILE, then to the no-home root', () => {
  const base = { tmpdir: '/tmp', platform: 'linux' };
  assert.equal(resolveAivaultPaths({ ...base, osHome: '', env: { HOME: '   ', USERPROFILE: '/p' } }).aivaultRoot, '/p/.aivault');
  const none = resolveAivaultPaths({ ...base, osHome: ' ', env: { HOME: ' ' } });
  assert.equal(none.home, null);
  assert.equal(none.aivaultRoot, '/tmp/aivault-no-home');
});

test('osHomeFor: the injected HOME (POSIX) or USERPROFILE (Windows) when non-empty, else the account home', () => {
  const account = () => '/from/passwd';
  assert.equal(osHomeFor({ HOME: '/tmp/x' }, 'linux', account), '/tmp/x');
  assert.equal(osHomeFor({ HOME: '' }, 'linux', account), '/from/passwd');
  assert.equal(osHomeFor({}, 'darwin', account), '/from/passwd');
  assert.equal(osHomeFor({ HOME: '/tmp/x', USERPROFILE: 'C:\\u' }, 'win32', account), 'C:\\u');
  assert.equal(osHomeFor({}, 'linux', () => undefined), undefined);
});
