// The metadata scope check the runtime plans with must agree with the vault's read-time rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretAccessible } from '../../../src/core/runtime/eligibility.js';
import { scopeAllows } from '../../../src/core/vault/scope.js';
import type { GroupAttachment, Scope, SecretMetadata } from '../../../src/core/vault/types.js';

const meta = (scope: Scope, attachedGroups: GroupAttachment[] = []): SecretMetadata => ({
  secretId: '3f2504e0-4f89-41d3-9d0a-0305e82c3301',
  name: 'X',
  aliases: [],
  scope,
  systemManaged: false,
  createdAtMs: 0,
  updatedAtMs: 0,
  lastUsedAtMs: null,
  revokedAtMs: null,
  valueVersion: 1,
  attachedGroups,
});

test('an attachment stored with padding (hand-edited record) grants in planning exactly as the vault grants on read', () => {
  const secret = meta({ kind: 'workspace', workspaceId: 'other' }, [{ workspaceId: ' ws ', groupId: 'g ' }]);
  const ctx = { workspaceId: 'ws', groupId: 'g' };
  assert.equal(scopeAllows(secret, ctx), true);
  assert.equal(secretAccessible(secret, ctx), true);
});

test('secretAccessible matches the vault rule over every scope and context', () => {
  const scopes: Scope[] = [
    { kind: 'global' },
    { kind: 'workspace', workspaceId: 'ws' },
    { kind: 'group', workspaceId: 'ws', groupId: 'g' },
  ];
  const contexts = [
    { workspaceId: null, groupId: null },
    { workspaceId: 'ws', groupId: null },
    { workspaceId: 'ws', groupId: 'g' },
    { workspaceId: 'ws', groupId: 'h' },
    { workspaceId: 'other', groupId: null },
  ];
  for (const scope of scopes) {
    for (const attached of [[], [{ workspaceId: 'ws', groupId: 'h' }]]) {
      for (const ctx of contexts) {
        const secret = meta(scope, attached);
        assert.equal(secretAccessible(secret, ctx), scopeAllows(secret, ctx), JSON.stringify({ scope, attached, ctx }));
      }
    }
  }
});
