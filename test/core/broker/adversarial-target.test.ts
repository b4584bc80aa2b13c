// Adversarial upstream targets and credentials: IPv4 forms (decimal/hex/octal/short), IPv6 and
// IPv4-mapped literals, private and metadata addresses, ports, authority tricks, host
// intersection, credential resolution refusals. Each refused with the contract's code and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAP, CRED, env, harness } from './_harness.js';
import { isBlockedAddress, isBlockedHost } from '../../../src/core/broker/ssrf.js';
import { hostMatches } from '../../../src/core/registry/host-pattern.js';

const SSRF = 'upstream host blocked by SSRF guard';
const BAD = 'invalid host authority in capability or credential';

/** Host given to both the credential and the capability, so only target rules decide. */
const HOSTS: Array<[string, string]> = [
  ...[
    '127.0.0.1', '127.255.255.254', '2130706433', '0x7f000001', '0x7f.0.0.1', '0177.0.0.1', '017700000001', '127.1', '127.0.1',
    '10.0.0.1', '10.255.255.255', '012.0.0.1', '172.16.0.1', '172.31.255.255', '0xac100001', '192.168.0.1', '192.168.255.255',
    '3232235521', '169.254.169.254', '169.254.0.1', '0xa9fea9fe', '2852039166', '0.0.0.0', '0', '0.1.2.3',
    '[::1]', '[0:0:0:0:0:0:0:1]', '[::]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:10.0.0.1]', '[::ffff:169.254.169.254]',
    '[::ffff:192.168.1.1]', '[fe80::1]', '[febf::1]', '[fc00::1]', '[fd00:ec2::254]', '[fdff:ffff::1]', '[64:ff9b::a9fe:a9fe]',
    '[::127.0.0.1]', 'localhost', 'LOCALHOST', 'localhost.', 'metadata.google.internal', 'Metadata.Google.Internal', '127.0.0.1.',
    '%31%32%37.0.0.1',
  ].map((host): [string, string] => [host, SSRF]),
  ...['api.acme.example:8443', 'api.acme.example:80', 'api.acme.example:1', '127.0.0.1:8443'].map((host): [string, string] => [host, 'non-default port not allowed']),
  ...['user@api.acme.example', 'api.acme.example/evil', 'api.acme.example?x', 'api.acme.example#f', 'api acme.example', 'api.acme.example:99999', '[::1', 'a\\b.example', 'api.acme.example:x'].map(
    (host): [string, string] => [host, BAD],
  ),
];

test(`adversarial target table: ${HOSTS.length} hosts refused by the target rules`, async () => {
  assert.ok(HOSTS.length >= 55);
  for (const [host, message] of HOSTS) {
    const h = harness({ capabilities: [{ ...CAP, allow: { ...CAP.allow, hosts: [host] } }], credentials: [{ ...CRED, hosts: [host] }] });
    const error = await h.refuse(env());
    assert.deepEqual({ code: error.code, message: error.message }, { code: 'policy_violation', message }, host);
    assert.equal(h.mock.requests.length, 0, host);
    assert.equal(h.audits[0]!.error, 'policy_violation');
  }
});

test('allowed: a default port is dropped, punycode is used, public literals pass', async () => {
  for (const [host, url] of [
    ['api.acme.example:443', 'https://api.acme.example/v2/users'],
    ['bücher.example', 'https://xn--bcher-kva.example/v2/users'],
    ['93.184.216.34', 'https://93.184.216.34/v2/users'],
    ['[2001:db8::1]', 'https://[2001:db8::1]/v2/users'],
    ['172.32.0.1', 'https://172.32.0.1/v2/users'],
  ]) {
    const h = harness({ capabilities: [{ ...CAP, allow: { ...CAP.allow, hosts: [host!] } }], credentials: [{ ...CRED, hosts: [host!] }] });
    const result = await h.invoke(env());
    assert.equal(h.mock.requests[0]!.url, url, host);
    assert.equal(result.planned.url, url);
  }
});

test('dev overrides arrive as options: non-default ports, remote clients', async () => {
  const host = 'api.acme.example:8443';
  const h = harness({ capabilities: [{ ...CAP, allow: { ...CAP.allow, hosts: [host] } }], credentials: [{ ...CRED, hosts: [host] }], options: { allowNonDefaultPorts: true, allowRemoteClients: true } });
  await h.invoke(env(), { clientIp: '10.1.1.1' });
  assert.equal(h.mock.requests[0]!.url, 'https://api.acme.example:8443/v2/users');
});

const CRED_ROWS: Array<{ name: string; caps?: (typeof CAP)[]; creds: Array<Partial<typeof CRED> & { id: string }>; credential?: string; capability?: string; code: string; message: string }> = [
  { name: 'typosquat host', creds: [{ id: 'acme', hosts: ['api.acme.example.exfil.io'] }], code: 'policy_violation', message: 'effective host intersection is empty' },
  { name: 'sub-domain without wildcard', creds: [{ id: 'acme', hosts: ['sub.api.acme.example'] }], code: 'policy_violation', message: 'effective host intersection is empty' },
  { name: 'port-bound pattern', caps: [{ ...CAP, allow: { ...CAP.allow, hosts: ['api.acme.example:9443'] } }], creds: [{ id: 'acme', hosts: ['api.acme.example'] }], code: 'policy_violation', message: 'effective host intersection is empty' },
  { name: 'two effective hosts', caps: [{ ...CAP, allow: { ...CAP.allow, hosts: ['*.acme.example'] } }], creds: [{ id: 'acme', hosts: ['a.acme.example', 'b.acme.example'] }], code: 'policy_violation', message: 'core conformance requires exactly one effective host' },
  { name: 'wildcard apex', caps: [{ ...CAP, allow: { ...CAP.allow, hosts: ['*.acme.example'] } }], creds: [{ id: 'acme', hosts: ['acme.example'] }], code: 'policy_violation', message: 'effective host intersection is empty' },
  { name: 'no credential hosts', creds: [{ id: 'acme', hosts: [] }], code: 'policy_violation', message: 'effective host intersection is empty' },
  { name: 'unknown capability', creds: [{ id: 'acme' }], capability: 'acme/admin', code: 'capability_not_found', message: 'capability not found' },
  { name: 'unknown credential', creds: [{ id: 'acme' }], credential: 'acme-other', code: 'credential_not_found', message: 'credential not found' },
  { name: 'other provider credential', creds: [{ id: 'acme' }, { id: 'evil', provider: 'evil' }], credential: 'evil', code: 'policy_violation', message: 'credential provider does not match capability provider' },
  { name: 'credential not scoped', creds: [{ id: 'acme', capabilities: ['acme/other'] }], credential: 'acme', code: 'policy_violation', message: 'credential is not scoped to this capability' },
  { name: 'no credential for provider', creds: [{ id: 'x', provider: 'other' }], code: 'credential_not_found', message: 'no credential for capability provider' },
  { name: 'only unscoped credentials', creds: [{ id: 'acme', capabilities: ['acme/other'] }], code: 'credential_not_found', message: 'no credential for capability provider' },
  { name: 'true tie', creds: [{ id: 'a' }, { id: 'b' }], code: 'credential_ambiguous', message: 'multiple credentials available; pass credential id' },
  { name: 'tie in the same group scope', creds: [{ id: 'a', scopeRank: 2 }, { id: 'b', scopeRank: 2 }, { id: 'c' }], code: 'credential_ambiguous', message: 'multiple credentials available; pass credential id' },
  { name: 'explicit with load error', creds: [{ id: 'acme', loadError: new Error('secret not accessible') }, { id: 'b' }], credential: 'acme', code: 'vault_error', message: 'secret not accessible' },
];

test(`credential table: ${CRED_ROWS.length} resolution refusals`, async () => {
  for (const row of CRED_ROWS) {
    const h = harness({ capabilities: row.caps ?? [CAP], credentials: row.creds.map((c) => ({ ...CRED, ...c })) });
    const envelope = { capability: row.capability ?? 'acme/users', ...(row.credential ? { credential: row.credential } : {}), request: { method: 'GET', path: '/v2/users' } };
    const error = await h.refuse(envelope);
    assert.deepEqual({ code: error.code, message: error.message }, { code: row.code, message: row.message }, row.name);
    assert.equal(h.mock.requests.length, 0, row.name);
  }
});

test('ranking: priority first, then group > workspace > global; load errors are skipped unless requested', async () => {
  const pick = async (creds: Array<Partial<typeof CRED> & { id: string }>) => {
    const h = harness({ credentials: creds.map((c) => ({ ...CRED, ...c })) });
    return (await h.invoke(env())).planned.credential;
  };
  assert.equal(await pick([{ id: 'global' }, { id: 'ws', scopeRank: 1 }, { id: 'group', scopeRank: 2 }]), 'group');
  assert.equal(await pick([{ id: 'global' }, { id: 'ws', scopeRank: 1 }]), 'ws');
  assert.equal(await pick([{ id: 'group', scopeRank: 2 }, { id: 'alt', priority: 10 }]), 'alt');
  assert.equal(await pick([{ id: 'broken', scopeRank: 2, loadError: new Error('x') }, { id: 'ok' }]), 'ok');
  const h = harness({ credentials: [{ ...CRED, id: 'a' }, { ...CRED, id: 'b' }] });
  assert.equal((await h.invoke(env({}, { credential: 'b' }))).planned.credential, 'b');
  assert.deepEqual(h.fake.loads, [{ credential: 'b', purpose: 'broker.credential.load' }], 'only the used secret is read');
});

test('isBlockedAddress: resolved addresses at connect time', () => {
  for (const ip of ['127.0.0.1', '::1', '[::1]', '::', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', 'fe80::1%eth0', 'fd00::1', '0.0.0.0', '10.0.0.1', '172.20.1.1', '192.168.0.1', '169.254.169.254', '0.1.2.3', '::ffff:0.1.2.3', '::ffff:10.0.0.1', '::ffff:7f00:1']) {
    assert.equal(isBlockedAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8', '172.32.0.1', '100.64.0.1', 'example.com', 'localhost', '1::2::3', '256.0.0.1']) {
    assert.equal(isBlockedAddress(ip), false, ip);
  }
  assert.equal(isBlockedHost('localhost'), true);
  assert.equal(isBlockedHost('foo.localhost.example'), false);
});

test('host matching fixtures (security.md §5)', () => {
  const fixtures: Array<[string, string, boolean]> = [
    ['api.openai.com', 'api.openai.com', true], ['api.openai.com', 'api.openai.com.exfil.io', false], ['*.openai.com', 'api.openai.com', true],
    ['*.openai.com', 'openai.com', false], ['*.example.com', 'badexample.com', false], ['*.xn--bcher-kva.example', 'shop.xn--bcher-kva.example', true],
    ['XN--BCHER-KVA.EXAMPLE', 'xn--bcher-kva.example', true], ['*.example.com', 'a.b.example.com', true], ['api.x.com:8443', 'api.x.com', false],
    ['api.x.com', 'api.x.com:8443', true], ['api.x.com:443', 'api.x.com', true],
  ];
  for (const [pattern, host, expected] of fixtures) assert.equal(hostMatches(pattern, host), expected, `${pattern} vs ${host}`);
});
