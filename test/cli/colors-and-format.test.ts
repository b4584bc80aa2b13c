// Colour rules (cli.md §1.6), plural count lines (Decision 14), the status/secrets human layouts, output modes (§7.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorEnabled, countLine, createColors } from '../../src/cli/color.js';
import { renderStatus, statusJson } from '../../src/cli/format/status.js';
import { metadataJson, renderSecretsList } from '../../src/cli/format/secrets.js';
import { renderResult } from '../../src/cli/invoke/render-result.js';
import { parseOctalMode } from '../../src/transport-socket/socket-paths.js';
import type { SecretMetadata } from '../../src/core/vault/types.js';
import type { BrokerResult } from '../../src/core/broker/types.js';

test('colour: terminal only; NO_COLOR wins; CLICOLOR=0 disables; CLICOLOR_FORCE forces', () => {
  assert.equal(colorEnabled({}, true), true);
  assert.equal(colorEnabled({}, false), false);
  assert.equal(colorEnabled({ NO_COLOR: '1' }, true), false);
  assert.equal(colorEnabled({ NO_COLOR: '1', CLICOLOR_FORCE: '1' }, true), false);
  assert.equal(colorEnabled({ CLICOLOR: '0' }, true), false);
  assert.equal(colorEnabled({ CLICOLOR_FORCE: '1' }, false), true);
  assert.equal(colorEnabled({ CLICOLOR_FORCE: '0' }, false), false);
});

test('plurals are spelled correctly', () => {
  assert.equal(countLine(1, 'capability', 'capabilities'), '1 capability');
  assert.equal(countLine(2, 'capability', 'capabilities'), '2 capabilities');
  assert.equal(countLine(0, 'secret', 'secrets'), '0 secrets');
});

test('status layout: provider and KEK lines only when known', () => {
  const plain = createColors(false);
  const s = { enabled: true, providerType: 'file' as const, locked: false, kekId: 'abc' };
  assert.equal(renderStatus(s, '/v', plain), 'Vault\n  Status: unlocked\n  Provider: Key file\n  KEK identifier: abc\n\nPaths\n  Root: /v\n');
  assert.match(renderStatus({ enabled: false, providerType: null, locked: false, kekId: null }, '/v', plain), /^Vault\n {2}Status: not initialized\n\nPaths/);
  assert.match(renderStatus({ ...s, providerType: 'passphrase', locked: true }, '/v', plain), /Status: locked\n {2}Provider: Passphrase/);
  const coloured = renderStatus(s, '/v', createColors(true));
  assert.ok(coloured.includes('\u001b[32munlocked\u001b[0m'), 'unlocked is green');
  assert.ok(coloured.includes('\u001b[1;36mVault\u001b[0m'), 'headings bold cyan');
  assert.deepEqual(Object.keys(statusJson({ kekId: null, locked: false, providerType: null, enabled: false })), ['enabled', 'providerType', 'locked', 'kekId']);
});

const meta = (over: Partial<SecretMetadata>): SecretMetadata => ({
  secretId: '3f2504e0-4f89-41d3-9d0a-0305e82c3301',
  name: 'OPENAI_API_KEY',
  aliases: [],
  scope: { kind: 'global' },
  systemManaged: false,
  createdAtMs: 1,
  updatedAtMs: 2,
  lastUsedAtMs: null,
  revokedAtMs: null,
  valueVersion: 1,
  attachedGroups: [],
  ...over,
});

test('secrets list layout of cli.md §4.1', () => {
  const text = renderSecretsList(
    [meta({ aliases: ['oai', 'openai'], revokedAtMs: 5 }), meta({ name: 'TRELLO_TOKEN', secretId: 'x', scope: { kind: 'workspace', workspaceId: 'acme' } })],
    createColors(false),
  );
  assert.equal(
    text,
    [
      'Secrets',
      '  OPENAI_API_KEY',
      '      ID: 3f2504e0-4f89-41d3-9d0a-0305e82c3301',
      '      Scope: global',
      '      Aliases: oai, openai',
      '    REVOKED',
      '',
      '  TRELLO_TOKEN',
      '      ID: x',
      '      Scope: workspace:acme',
      '',
      '2 secrets',
      'Use --verbose for full JSON detail.',
      '',
    ].join('\n'),
  );
  assert.equal(renderSecretsList([], createColors(false)), 'No secrets found.\n');
  assert.match(renderSecretsList([meta({ revokedAtMs: 1 })], createColors(true)), /\u001b\[1;31mREVOKED/);
});

test('metadata JSON: fixed key order, tagged scope, pinnedProvider only when pinned', () => {
  const m = metadataJson(meta({ scope: { kind: 'group', workspaceId: 'w', groupId: 'g' }, pinnedProvider: 'openai' }));
  assert.deepEqual(Object.keys(m), ['secretId', 'name', 'aliases', 'scope', 'systemManaged', 'pinnedProvider', 'createdAtMs', 'updatedAtMs', 'lastUsedAtMs', 'revokedAtMs', 'valueVersion', 'attachedGroups']);
  assert.deepEqual(m['scope'], { group: { workspace_id: 'w', group_id: 'g' } });
  assert.ok(!('pinnedProvider' in metadataJson(meta({}))));
  assert.equal(metadataJson(meta({}))['scope'], 'global');
});

const result = (body: Uint8Array): BrokerResult => ({
  planned: { capability: 'c', credential: 'k', method: 'GET', url: 'https://api.example/v1' },
  response: { status: 404, headers: [{ name: 'x-secret-ish', value: 'h' }], bodyUtf8: null, bodyB64: Buffer.from(body).toString('base64') },
});

test('output modes: raw bytes, json, markdown; headers never printed', () => {
  const raw = renderResult(result(new Uint8Array([0xff, 0, 1])), 'raw');
  assert.deepEqual([...(raw as Uint8Array)], [0xff, 0, 1]);
  const json = renderResult(result(Buffer.from('{"a":1}')), 'json') as string;
  assert.deepEqual(JSON.parse(json), { planned: { capability: 'c', credential: 'k', method: 'GET', url: 'https://api.example/v1' }, response: { status: 404, json: { a: 1 } } });
  assert.ok(!json.includes('x-secret-ish'));
  assert.throws(() => renderResult(result(Buffer.from('nope')), 'json'), /^BrokerError: upstream response body is not valid JSON \(.+\); use `aivault invoke` for raw output$/);
  assert.equal(renderResult(result(Buffer.from('{"title":"Main"}')), 'markdown', { namespace: 'data' }), '<begin data>\n# Title\n\nMain\n</end data>\n');
  assert.equal(renderResult(result(Buffer.from('hello')), 'markdown'), 'hello');
  assert.throws(() => renderResult(result(new Uint8Array([0xff])), 'markdown'), /upstream response body is not utf8 or json/);
  const bad = { ...result(new Uint8Array()), response: { ...result(new Uint8Array()).response, bodyB64: 'a' } };
  assert.throws(() => renderResult(bad, 'raw'), /invalid base64 bodyB64/);
});

test('octal modes: 600, 0660, 0o750; junk ignored', () => {
  assert.equal(parseOctalMode('600'), 0o600);
  assert.equal(parseOctalMode(' 0660 '), 0o660);
  assert.equal(parseOctalMode('0o750'), 0o750);
  assert.equal(parseOctalMode('rwx'), undefined);
  assert.equal(parseOctalMode(''), undefined);
  assert.equal(parseOctalMode('0o0o7'), undefined);
});
