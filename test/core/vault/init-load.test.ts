// vault.md §2-§5 and Decisions 3, 14, 16, 17, 18: init, auto-init, modes, init lock, corrupt config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/core/broker-error.js';
import { resolveVaultRoot, vaultPathsFor } from '../../../src/core/vault/vault-paths.js';
import { HOME, KEY_A, ROOT, bytes, files, modeOf, readJson, ref, setupVault, text } from './_helpers.js';

const rejects = (code: string, message: string) => (error: unknown) =>
  isBrokerError(error) && error.code === code && error.message === message;

test('root resolution: AIVAULT_DIR (trimmed), else <home>/.aivault/data/vault, else the tmpdir fallback', () => {
  assert.deepEqual(resolveVaultRoot({ env: { AIVAULT_DIR: ' /x/v ' }, home: '/h', tmpdir: '/t' }), {
    rootDir: '/x/v', canonical: false, aivaultHome: '/h/.aivault',
  });
  assert.equal(resolveVaultRoot({ env: { AIVAULT_DIR: '  ' }, home: '/h', tmpdir: '/t' }).rootDir, '/h/.aivault/data/vault');
  assert.equal(resolveVaultRoot({ env: { HOME: '/eh' }, home: null, tmpdir: '/t' }).rootDir, '/eh/.aivault/data/vault');
  assert.equal(resolveVaultRoot({ env: { USERPROFILE: '/up' }, home: '', tmpdir: '/t' }).rootDir, '/up/.aivault/data/vault');
  assert.equal(resolveVaultRoot({ env: { HOME: '/eh ' }, home: ' ', tmpdir: '/t' }).rootDir, '/eh /.aivault/data/vault', 'blank is missing; a non-blank home is used as given, like the socket paths');
  const none = resolveVaultRoot({ env: {}, home: undefined, tmpdir: '/t' });
  assert.deepEqual(none, { rootDir: '/t/aivault-no-home/data/vault', canonical: true, aivaultHome: '/t/aivault-no-home' });
});

test('paths: canonical roots keep the default key and run dir under ~/.aivault; override roots inside', () => {
  const canonical = vaultPathsFor('/h/.aivault/data/vault', { canonical: true, home: '/h' });
  assert.equal(canonical.defaultKeyPath, '/h/.aivault/keys/kek.key');
  assert.equal(canonical.runDir, '/h/.aivault/run');
  assert.equal(canonical.migrationsPath, '/h/.aivault/data/vault/migrations/applied.json');
  const override = vaultPathsFor('/v', { canonical: false, home: '/h' });
  assert.equal(override.defaultKeyPath, '/v/kek.key');
  assert.equal(override.runDir, '/v/run');
  assert.equal(override.rateLimitsPath, '/v/state/rate-limits.json');
});

test('load() auto-initialises with the file provider: key 0600, vault.json 0600, root and secrets 0700', async () => {
  const { vault, mem } = setupVault();
  const before = await vault.status();
  assert.deepEqual(before, { enabled: false, providerType: null, locked: true, kekId: null });
  const status = await vault.load();
  assert.equal(status.enabled, true);
  assert.equal(status.providerType, 'file');
  assert.equal(status.locked, false);
  assert.match(status.kekId!, /^[0-9a-f]{64}$/);
  const config = readJson(mem, `${ROOT}/vault.json`);
  assert.deepEqual(Object.keys(config), ['version', 'createdAtMs', 'updatedAtMs', 'provider', 'kekId']);
  assert.deepEqual(config['provider'], { type: 'file', path: `${ROOT}/kek.key` });
  assert.match(String(mem.vol.readFileSync(`${ROOT}/kek.key`)), /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(modeOf(mem, `${ROOT}/kek.key`), 0o600);
  assert.equal(modeOf(mem, `${ROOT}/vault.json`), 0o600);
  assert.equal(modeOf(mem, ROOT), 0o700);
  assert.equal(modeOf(mem, `${ROOT}/secrets`), 0o700);
  assert.ok(!files(mem, ROOT).includes('.init-lock'), 'init lock removed');
  assert.ok(files(mem, ROOT).every((f) => !f.includes('.tmp.')), 'no staging leftovers');
  const audit = await vault.readAudit(10);
  assert.deepEqual(audit.map((e) => e.kind), ['vault.init']);
  assert.equal(audit[0]!.actor, 'operator');
});

test('canonical auto-init puts the key under ~/.aivault/keys and reuses an existing key file', async () => {
  const rootDir = `${HOME}/.aivault/data/vault`;
  const { vault, mem } = setupVault({ rootDir });
  mem.vol.mkdirSync(`${HOME}/.aivault/keys`, { recursive: true });
  mem.vol.writeFileSync(`${HOME}/.aivault/keys/kek.key`, KEY_A);
  const status = await vault.load();
  assert.equal(status.kekId, '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
  assert.equal(String(mem.vol.readFileSync(`${HOME}/.aivault/keys/kek.key`)), KEY_A);
});

test('explicit init: file without a path uses <root>/kek.key; env needs its variable; keychain fails closed', async () => {
  const file = setupVault();
  await file.vault.init({ type: 'file' });
  assert.deepEqual(readJson(file.mem, `${ROOT}/vault.json`)['provider'], { type: 'file', path: `${ROOT}/kek.key` });

  const missing = setupVault();
  await assert.rejects(missing.vault.init({ type: 'env' }), rejects('vault_error', 'vault provider misconfigured: missing env var AIVAULT_KEY'));
  assert.equal((await missing.vault.status()).enabled, false, 'nothing written on failure');
  const blank = setupVault({ env: { AIVAULT_KEY: '  ' } });
  await assert.rejects(blank.vault.init({ type: 'env' }), rejects('vault_error', 'vault provider misconfigured: missing vault key'), 'set but blank: §5 key-text rule');
  const junk = setupVault({ env: { AIVAULT_KEY: 'not-a-key' } });
  await assert.rejects(junk.vault.init({ type: 'env' }), rejects('vault_error', 'vault provider misconfigured: invalid vault key (expected base64 or 64-char hex for 32 bytes)'));

  const env = setupVault({ env: { MY_KEY: KEY_A } });
  const status = await env.vault.init({ type: 'env', envVar: 'MY_KEY' });
  assert.equal(status.providerType, 'env');
  assert.deepEqual(readJson(env.mem, `${ROOT}/vault.json`)['provider'], { type: 'env', env_var: 'MY_KEY' });
  const meta = await env.vault.createSecret({ name: 'A', value: bytes('v'), scope: { kind: 'global' } });
  assert.equal(text(await env.vault.resolve(ref(meta.secretId))), 'v');

  const keychain = setupVault();
  await assert.rejects(keychain.vault.init({ type: 'macos_keychain' }), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith('vault provider misconfigured: '));
});

test('init on an existing vault changes nothing and points at rotate-master when the provider differs', async () => {
  const { vault, mem } = setupVault();
  await vault.init();
  const before = String(mem.vol.readFileSync(`${ROOT}/vault.json`));
  assert.equal((await vault.init()).providerType, 'file');
  assert.equal((await vault.init({ type: 'file', path: `${ROOT}/kek.key` })).providerType, 'file');
  const pointer = rejects('vault_error', "vault already initialised with provider 'file'; use aivault rotate-master to change it");
  await assert.rejects(vault.init({ type: 'env' }), pointer);
  await assert.rejects(vault.init({ type: 'file', path: '/elsewhere/kek.key' }), pointer);
  await assert.rejects(vault.init({ type: 'passphrase', passphrase: 'p' }), pointer);
  assert.equal(String(mem.vol.readFileSync(`${ROOT}/vault.json`)), before);
});

test('passphrase init: no key on disk, check record in vault.json, audit note, unlocked in this instance', async () => {
  const { vault, mem, make } = setupVault();
  const status = await vault.init({ type: 'passphrase', passphrase: 'hunter2' });
  assert.deepEqual({ ...status, kekId: null }, { enabled: true, providerType: 'passphrase', locked: false, kekId: null });
  const provider = readJson(mem, `${ROOT}/vault.json`)['provider'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(provider), ['type', 'kdf', 'check']);
  assert.deepEqual(Object.keys(provider['kdf'] as object), ['saltB64', 'mCostKib', 'tCost', 'pCost']);
  assert.ok(!files(mem, ROOT).includes('kek.key'));
  assert.equal((await vault.readAudit(1))[0]!.note, 'passphrase');
  assert.equal((await make().status()).locked, true, 'a fresh instance starts locked');
  await assert.rejects(make().init({ type: 'passphrase', passphrase: 'wrong' }), rejects('vault_error', 'vault provider misconfigured: invalid passphrase'));
  const other = make();
  await other.init({ type: 'passphrase', passphrase: 'hunter2' });
  assert.equal((await other.status()).locked, false);
});

test('a malformed vault.json names the file and position, and nothing is written', async () => {
  const { vault, mem } = setupVault();
  mem.vol.mkdirSync(ROOT, { recursive: true });
  mem.vol.writeFileSync(`${ROOT}/vault.json`, '{\n  "version": 1,\n  "kekId": }');
  const message = `malformed file ${ROOT}/vault.json: invalid JSON at line 3, column 12`;
  await assert.rejects(vault.load(), rejects('vault_error', message));
  await assert.rejects(vault.status(), rejects('vault_error', message));
  await assert.rejects(vault.init({ type: 'env' }), rejects('vault_error', message));
  assert.deepEqual(files(mem, ROOT), ['vault.json']);

  mem.vol.writeFileSync(`${ROOT}/vault.json`, JSON.stringify({ version: 1, createdAtMs: 1, updatedAtMs: 1, provider: { type: 'file' }, kekId: 'x' }));
  await assert.rejects(vault.load(), (e: unknown) => isBrokerError(e, 'vault_error') && e.message.startsWith(`malformed file ${ROOT}/vault.json: invalid value at 'provider'`));
  mem.vol.writeFileSync(`${ROOT}/vault.json`, '');
  await assert.rejects(vault.load(), rejects('vault_error', `malformed file ${ROOT}/vault.json: invalid JSON at line 1, column 1`));
});

test('operations on a root without vault.json fail with `vault not enabled`', async () => {
  const { vault } = setupVault();
  const notEnabled = rejects('vault_error', 'vault not enabled');
  await assert.rejects(vault.listSecrets(), notEnabled);
  await assert.rejects(vault.createSecret({ name: 'A', value: bytes('v'), scope: { kind: 'global' } }), notEnabled);
  await assert.rejects(vault.resolve(ref('3f2504e0-4f89-41d3-9d0a-0305e82c3301')), notEnabled);
});

test('init lock: a held lock is waited for, a stale one is broken, a live one times out', async () => {
  const held = setupVault();
  held.mem.vol.mkdirSync(`${ROOT}/.init-lock`, { recursive: true });
  const future = (held.clock.now() + 60_000) / 1000;
  held.mem.vol.utimesSync(`${ROOT}/.init-lock`, future, future);
  await assert.rejects(held.vault.load(), rejects('vault_error', 'vault init lock held too long'));
  assert.equal((await held.vault.status()).enabled, false);

  const stale = setupVault();
  stale.mem.vol.mkdirSync(`${ROOT}/.init-lock`, { recursive: true });
  const past = (stale.clock.now() - 31_000) / 1000;
  stale.mem.vol.utimesSync(`${ROOT}/.init-lock`, past, past);
  assert.equal((await stale.vault.load()).enabled, true);
  assert.ok(!files(stale.mem, ROOT).includes('.init-lock'));

  // another process finishes init while we wait: we proceed with its vault.json
  const racing = setupVault({ env: { K: KEY_A } });
  racing.mem.vol.mkdirSync(`${ROOT}/.init-lock`, { recursive: true });
  racing.mem.vol.utimesSync(`${ROOT}/.init-lock`, future, future);
  const other = racing.make({ sleep: async (ms) => {
    racing.clock.advance(ms);
    if (!racing.mem.vol.existsSync(`${ROOT}/vault.json`)) {
      racing.mem.vol.writeFileSync(`${ROOT}/vault.json`, JSON.stringify({ version: 1, createdAtMs: 1, updatedAtMs: 1, provider: { type: 'env', env_var: 'K' }, kekId: 'ab' }));
    }
  } });
  assert.equal((await other.status()).enabled, false);
  const status = await other.init();
  assert.equal(status.providerType, 'env');
});
