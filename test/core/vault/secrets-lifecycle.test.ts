// vault.md §3 and Decision 6: record format, lifecycle operations, uniqueness, ids, staging files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { ROOT, bytes, files, modeOf, readJson, ref, setupVault, text } from './_helpers.js';

const rejects = (message: string, code = 'vault_error') => (error: unknown) =>
  isBrokerError(error) && error.code === code && error.message === message;

async function ready() {
  const t = setupVault();
  await t.vault.load();
  return t;
}

test('create writes an atomic 0600 record in the original key order and returns metadata', async () => {
  const { vault, mem, clock } = await ready();
  const meta = await vault.createSecret({ name: '  OPENAI_API_KEY ', value: bytes('sk-1'), scope: { kind: 'global' }, aliases: [' b', 'a', '', 'b'] });
  assert.match(meta.secretId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(meta, {
    secretId: meta.secretId, name: 'OPENAI_API_KEY', aliases: ['a', 'b'], scope: { kind: 'global' }, systemManaged: false,
    createdAtMs: clock.now(), updatedAtMs: clock.now(), lastUsedAtMs: null, revokedAtMs: null, valueVersion: 1, attachedGroups: [],
  });
  const path = `${ROOT}/secrets/${meta.secretId}.json`;
  assert.equal(modeOf(mem, path), 0o600);
  assert.deepEqual(files(mem, `${ROOT}/secrets`), [`${meta.secretId}.json`]);
  const record = readJson(mem, path);
  assert.deepEqual(Object.keys(record), ['secretId', 'name', 'aliases', 'scope', 'systemManaged', 'aadVersion', 'createdAtMs', 'updatedAtMs', 'valueVersion', 'ciphertext', 'attachedGroups']);
  assert.equal(record['scope'], 'global');
  assert.equal(record['aadVersion'], 1);
  const ciphertext = record['ciphertext'] as { alg: string; dekWrapped: { kekId: string } };
  assert.equal(ciphertext.alg, 'xchacha20poly1305+envelope');
  assert.equal(ciphertext.dekWrapped.kekId, (await vault.status()).kekId);
  assert.ok(!String(mem.vol.readFileSync(path)).includes('sk-1'), 'no plaintext on disk');
  assert.match(String(mem.vol.readFileSync(path)), /^\{\n {2}"secretId"/);
  const scoped = await vault.createSecret({ name: 'X', value: bytes('v'), scope: { kind: 'group', workspaceId: ' w ', groupId: 'g' } });
  assert.deepEqual(readJson(mem, `${ROOT}/secrets/${scoped.secretId}.json`)['scope'], { group: { workspace_id: 'w', group_id: 'g' } });
  await assert.rejects(vault.createSecret({ name: ' ', value: bytes('v'), scope: { kind: 'global' } }), rejects('secret name required'));
  await assert.rejects(vault.createSecret({ name: 'Y', value: bytes('v'), scope: { kind: 'group', workspaceId: 'w', groupId: ' ' } }), rejects('workspace_id and group_id required for group scope'));
});

test('global names are unique (name vs name/alias, alias vs name); scoped names may repeat', async () => {
  const { vault } = await ready();
  const g = { kind: 'global' } as const;
  await vault.createSecret({ name: 'A', value: bytes('1'), scope: g, aliases: ['ALIAS_A'] });
  await assert.rejects(vault.createSecret({ name: 'A', value: bytes('2'), scope: g }), rejects("global secret name 'A' already exists"));
  await assert.rejects(vault.createSecret({ name: 'ALIAS_A', value: bytes('2'), scope: g }), rejects("global secret name 'ALIAS_A' already exists"));
  await assert.rejects(vault.createSecret({ name: 'B', value: bytes('2'), scope: g, aliases: ['A'] }), rejects("global secret alias 'A' conflicts with existing secret name"));
  await vault.createSecret({ name: 'C', value: bytes('2'), scope: g, aliases: ['ALIAS_A'] }); // alias vs alias is not checked
  await vault.createSecret({ name: 'A', value: bytes('3'), scope: { kind: 'workspace', workspaceId: 'w' } });
  const b = await vault.createSecret({ name: 'B', value: bytes('2'), scope: g });
  await assert.rejects(vault.updateSecret(b.secretId, { name: 'A' }), rejects("global secret name 'A' already exists"));
  const renamed = await vault.updateSecret(b.secretId, { name: ' B2 ', aliases: ['z', 'y', 'z'] });
  assert.equal(renamed.name, 'B2');
  assert.deepEqual(renamed.aliases, ['y', 'z']);
  assert.equal((await vault.updateSecret(b.secretId, { name: 'B2' })).name, 'B2', 'excluding itself');
});

test('a deleted (revoked) secret frees its name (Decision 6) and stays on disk without ciphertext', async () => {
  const { vault, mem, clock } = await ready();
  const first = await vault.createSecret({ name: 'TOKEN', value: bytes('old'), scope: { kind: 'global' } });
  clock.advance(5);
  const revoked = await vault.revokeSecret(first.secretId);
  assert.equal(revoked.revokedAtMs, clock.now());
  assert.equal(revoked.updatedAtMs, clock.now());
  const record = readJson(mem, `${ROOT}/secrets/${first.secretId}.json`);
  assert.equal(record['ciphertext'], undefined);
  assert.equal(record['revokedAtMs'], clock.now());
  await assert.rejects(vault.resolve(ref(first.secretId)), rejects('secret revoked'));
  await assert.rejects(vault.rotateSecret(first.secretId, bytes('x')), rejects('secret revoked'));
  const second = await vault.createSecret({ name: 'TOKEN', value: bytes('new'), scope: { kind: 'global' } });
  assert.notEqual(second.secretId, first.secretId);
  assert.equal(await vault.findGlobalRefByName('TOKEN'), ref(second.secretId));
  const list = await vault.listSecrets();
  assert.equal(list.length, 2, 'revoked secrets are listed');
  clock.advance(5);
  assert.equal((await vault.revokeSecret(first.secretId)).revokedAtMs, clock.now(), 're-revoking refreshes the timestamp');
});

test('rotate re-encrypts with a fresh DEK and bumps valueVersion to max(v+1, 2)', async () => {
  const { vault, mem } = await ready();
  const meta = await vault.createSecret({ name: 'R', value: bytes('one'), scope: { kind: 'global' } });
  const path = `${ROOT}/secrets/${meta.secretId}.json`;
  const before = JSON.stringify(readJson(mem, path)['ciphertext']);
  const rotated = await vault.rotateSecret(meta.secretId, bytes('two'));
  assert.equal(rotated.valueVersion, 2);
  assert.notEqual(JSON.stringify(readJson(mem, path)['ciphertext']), before);
  assert.equal((await vault.rotateSecret(meta.secretId, bytes('three'))).valueVersion, 3);
  assert.equal(text(await vault.resolve(ref(meta.secretId))), 'three');
  const kinds = (await vault.readAudit(10)).map((e) => e.kind);
  assert.deepEqual(kinds.slice(0, 4), ['secret.used', 'secret.rotate', 'secret.rotate', 'secret.create']);
});

test('systemManaged secrets refuse operator update/rotate/delete, but aivault itself may change them', async () => {
  const { vault } = await ready();
  const sys = await vault.createSecret({ name: 'COMPOSITE', value: bytes('{}'), scope: { kind: 'global' }, systemManaged: true });
  const refused = rejects(`secret '${sys.secretId}' is system-managed`);
  await assert.rejects(vault.updateSecret(sys.secretId, { name: 'X' }, { operator: true }), refused);
  await assert.rejects(vault.rotateSecret(sys.secretId, bytes('x'), { operator: true }), refused);
  await assert.rejects(vault.revokeSecret(sys.secretId, { operator: true }), refused);
  assert.equal((await vault.rotateSecret(sys.secretId, bytes('{"a":1}'))).valueVersion, 2);
  const cleared = await vault.setSystemManaged(sys.secretId, false);
  assert.equal(cleared.systemManaged, false);
  assert.equal((await vault.updateSecret(sys.secretId, { name: 'X' }, { operator: true })).name, 'X');
  const auditBefore = (await vault.readAudit(100)).length;
  await vault.setSystemManaged(sys.secretId, false); // unchanged: no write, no audit
  assert.equal((await vault.readAudit(100)).length, auditBefore);
});

test('attach/detach: trimmed, deduplicated, audited with the group note', async () => {
  const { vault } = await ready();
  const meta = await vault.createSecret({ name: 'S', value: bytes('v'), scope: { kind: 'global' } });
  await assert.rejects(vault.attachGroup(meta.secretId, ' ', 'g'), rejects('workspace and group_id required'));
  await vault.attachGroup(meta.secretId, ' w ', ' g ');
  const twice = await vault.attachGroup(meta.secretId, 'w', 'g');
  assert.deepEqual(twice.attachedGroups, [{ workspaceId: 'w', groupId: 'g' }]);
  const [event] = await vault.readAudit(1);
  assert.deepEqual({ kind: event!.kind, note: event!.note, scope: event!.scope }, { kind: 'secret.attach', note: 'group:w:g', scope: 'global' });
  assert.deepEqual((await vault.detachGroup(meta.secretId, 'w ', 'g')).attachedGroups, []);
  assert.equal((await vault.readAudit(1))[0]!.kind, 'secret.detach');
});

test('pinning: v2 AAD, idempotent, immutable, revoked fails', async () => {
  const { vault, mem } = await ready();
  const meta = await vault.createSecret({ name: 'OPENAI_API_KEY', value: bytes('sk'), scope: { kind: 'global' } });
  await assert.rejects(vault.pinProvider(meta.secretId, ' '), rejects('provider required'));
  const pinned = await vault.pinProvider(meta.secretId, ' openai ');
  assert.equal(pinned.pinnedProvider, 'openai');
  assert.equal(pinned.valueVersion, 1);
  const record = readJson(mem, `${ROOT}/secrets/${meta.secretId}.json`);
  assert.equal(record['aadVersion'], 2);
  assert.deepEqual(Object.keys(record).slice(4, 7), ['systemManaged', 'pinnedProvider', 'aadVersion']);
  const again = await vault.pinProvider(meta.secretId, 'openai');
  assert.equal(again.updatedAtMs, pinned.updatedAtMs);
  await assert.rejects(vault.pinProvider(meta.secretId, 'anthropic'), rejects("secret pinnedProvider is immutable (already pinned to 'openai')"));
  assert.equal(text(await vault.resolve(ref(meta.secretId))), 'sk');
  const renamed = await vault.updateSecret(meta.secretId, { name: 'RENAMED' });
  assert.equal(renamed.pinnedProvider, 'openai');
  const gone = await vault.createSecret({ name: 'G', value: bytes('v'), scope: { kind: 'global' } });
  await vault.revokeSecret(gone.secretId);
  await assert.rejects(vault.pinProvider(gone.secretId, 'openai'), rejects('secret missing ciphertext'));
});

test('non-UUID ids and refs are `secret not found` before any filesystem access', async () => {
  const { vault, mem } = await ready();
  mem.vol.writeFileSync(`${ROOT}/evil.json`, JSON.stringify({ secretId: '../evil', name: 'x', scope: 'global', createdAtMs: 1, updatedAtMs: 1 }));
  let touched = 0;
  const spy = new Proxy(mem.fs, { get: (target, key, receiver) => {
    const value = Reflect.get(target, key, receiver);
    return typeof value === 'function' ? (...args: unknown[]) => ((touched += 1), (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
  } });
  const probe = setupVault({ mem: { fs: spy, vol: mem.vol } }).vault;
  for (const call of [
    () => probe.getSecret('../evil'),
    () => probe.resolve('vault:secret:../evil'),
    () => probe.resolve('vault:secret:3f2504e0-4f89-41d3-9d0a-0305e82c330'),
    () => probe.revokeSecret('..%2fevil'),
    () => probe.attachGroup('x/../../y', 'w', 'g'),
  ]) await assert.rejects(call(), rejects('secret not found'));
  assert.equal(touched, 0);
  await assert.rejects(probe.resolve('secret:abc'), rejects('invalid secret_ref (expected vault:secret:<id>)'));
  await assert.rejects(probe.resolve(' vault:secret:  '), rejects('invalid secret_ref (missing id)'));
  await assert.rejects(vault.getSecret('3f2504e0-4f89-41d3-9d0a-0305e82c3301'), rejects('secret not found'));
});

test('staging leftovers and foreign files are ignored; unparseable records are skipped in listings', async () => {
  const { vault, mem } = await ready();
  const meta = await vault.createSecret({ name: 'REAL', value: bytes('v'), scope: { kind: 'global' } });
  const dir = `${ROOT}/secrets`;
  const copy = mem.vol.readFileSync(`${dir}/${meta.secretId}.json`);
  mem.vol.writeFileSync(`${dir}/${meta.secretId}.json.tmp.99.0e5b5a3c-1c1b-4c1e-8e8e-000000000000`, copy);
  const other = '11111111-2222-4333-8444-555555555555';
  mem.vol.writeFileSync(`${dir}/${other}.json.tmp.1.x`, String(copy).replace(meta.secretId, other).replace('REAL', 'GHOST'));
  mem.vol.writeFileSync(`${dir}/notes.txt`, 'hello');
  mem.vol.writeFileSync(`${dir}/22222222-2222-4333-8444-555555555555.json`, '{ truncated');
  const fresh = setupVault({ mem }).vault;
  assert.deepEqual((await fresh.listSecrets()).map((s) => s.name), ['REAL']);
  assert.equal(await fresh.findGlobalRefByName('GHOST'), null);
  await fresh.createSecret({ name: 'GHOST', value: bytes('v'), scope: { kind: 'global' } });
});

test('a corrupt or empty record read by id names the file; nothing is rewritten', async () => {
  const { vault, mem } = await ready();
  const meta = await vault.createSecret({ name: 'C', value: bytes('v'), scope: { kind: 'global' } });
  const path = `${ROOT}/secrets/${meta.secretId}.json`;
  mem.vol.writeFileSync(path, '{\n  "secretId": "x",\n  "name": 5\n}');
  await assert.rejects(vault.getSecret(meta.secretId), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith(`malformed file ${path}: invalid value at '`));
  mem.vol.writeFileSync(path, '{"secretId": "');
  await assert.rejects(vault.resolve(ref(meta.secretId)), rejects(`malformed file ${path}: invalid JSON at line 1, column 15`));
  await assert.rejects(vault.rotateSecret(meta.secretId, bytes('z')), rejects(`malformed file ${path}: invalid JSON at line 1, column 15`));
  assert.equal(String(mem.vol.readFileSync(path)), '{"secretId": "');
  mem.vol.writeFileSync(path, '  \n');
  await assert.rejects(vault.getSecret(meta.secretId), rejects(`secret record '${meta.secretId}' is empty or corrupt`));
});

test('lenient read: missing optional fields take defaults; unknown keys are ignored', async () => {
  const { vault, mem } = await ready();
  const id = '3f2504e0-4f89-41d3-9d0a-0305e82c3301';
  mem.vol.writeFileSync(`${ROOT}/secrets/${id}.json`, JSON.stringify({ secretId: id, name: 'OLD', scope: { workspace: { workspace_id: 'w' } }, createdAtMs: 1, updatedAtMs: 2, lastUsedAtMs: null, extra: true }));
  const meta = await vault.getSecret(id);
  assert.deepEqual(meta, { secretId: id, name: 'OLD', aliases: [], scope: { kind: 'workspace', workspaceId: 'w' }, systemManaged: false, createdAtMs: 1, updatedAtMs: 2, lastUsedAtMs: null, revokedAtMs: null, valueVersion: 0, attachedGroups: [] });
  await assert.rejects(vault.resolve(ref(id), { workspaceId: 'w' }), rejects('secret revoked'));
});

test('a failing record write leaves the old record intact and no staging file (atomicity)', async () => {
  const { vault, mem, make } = await ready();
  const meta = await vault.createSecret({ name: 'A', value: bytes('v1'), scope: { kind: 'global' } });
  const failing = make({ fs: { ...mem.fs, rename: async () => { throw Object.assign(new Error('disk full'), { code: 'ENOSPC' }); } } });
  await assert.rejects(failing.rotateSecret(meta.secretId, bytes('v2')), rejects('io error: No space left on device (os error 28)'));
  assert.deepEqual(files(mem, `${ROOT}/secrets`), [`${meta.secretId}.json`]);
  assert.equal(text(await vault.resolve(ref(meta.secretId))), 'v1');
});

test('pinned rotation keeps the v2 AAD; pinning a legacy v1 record with its own pin re-encrypts; revoked records can still be renamed', async () => {
  const { vault, mem, clock } = await ready();
  const meta = await vault.createSecret({ name: 'OPENAI_API_KEY', value: bytes('sk-1'), scope: { kind: 'global' } });
  await vault.pinProvider(meta.secretId, 'openai');
  const rotated = await vault.rotateSecret(meta.secretId, bytes('sk-2'));
  assert.equal(rotated.pinnedProvider, 'openai');
  const path = `${ROOT}/secrets/${meta.secretId}.json`;
  assert.equal(readJson(mem, path)['aadVersion'], 2, 'rotation re-encrypts with the record current AAD');
  assert.equal(text(await vault.resolve(ref(meta.secretId))), 'sk-2');

  // §7 step 4: pinned to the same provider under the legacy v1 AAD → decrypt v1, re-encrypt v2
  const legacy = await vault.createSecret({ name: 'ANTHROPIC_API_KEY', value: bytes('a-1'), scope: { kind: 'global' } });
  const legacyPath = `${ROOT}/secrets/${legacy.secretId}.json`;
  mem.vol.writeFileSync(legacyPath, JSON.stringify({ ...readJson(mem, legacyPath), pinnedProvider: 'anthropic', aadVersion: 1 }, null, 2));
  clock.advance(7);
  const pinned = await vault.pinProvider(legacy.secretId, 'anthropic');
  assert.equal(pinned.updatedAtMs, clock.now());
  assert.equal(pinned.valueVersion, 1, 'pinning does not change valueVersion');
  assert.equal(readJson(mem, legacyPath)['aadVersion'], 2);
  assert.equal(text(await vault.resolve(ref(legacy.secretId))), 'a-1');
  assert.equal((await vault.readAudit(2))[1]!.kind, 'secret.pin_provider');

  await vault.revokeSecret(legacy.secretId);
  const renamed = await vault.updateSecret(legacy.secretId, { name: 'OLD_KEY', aliases: [' b', 'a', ''] });
  assert.deepEqual([renamed.name, renamed.aliases, renamed.pinnedProvider, typeof renamed.revokedAtMs], ['OLD_KEY', ['a', 'b'], 'anthropic', 'number']);
});
