// Help, --version, usage errors and exit codes (cli.md §1.2-§1.4, Decision 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseArgs, type CommandSpec } from '../../src/cli/args.js';
import { run } from './_helpers/fake-io.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('top-level help shows the banner, plain when not a terminal', async () => {
  for (const argv of [['--help'], ['help'], ['-h']]) {
    const r = await run(argv);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith('\n █████╗ ██╗██╗'), 'blank line then the banner');
    assert.ok(r.stdout.includes('╚═════╝ ╚══════╝╚═╝'));
    assert.ok(!r.stdout.includes('\u001b['), 'no escapes off a terminal');
    assert.equal(r.stderr, '');
  }
});

test('on a terminal each banner row carries its 256-colour escape and a reset', async () => {
  const r = await run(['help'], { tty: true });
  for (const n of [255, 253, 251, 249, 247, 245]) assert.ok(r.stdout.includes(`\u001b[38;5;${n}m`), `colour ${n}`);
  assert.ok(r.stdout.includes('╚═╝\u001b[0m'));
});

test('sub-command help has no banner and lists the flags', async () => {
  const r = await run(['help', 'secrets', 'create']);
  assert.equal(r.code, 0);
  assert.ok(!r.stdout.includes('█████╗'));
  assert.match(r.stdout, /--value-file <PATH>/);
  const h = await run(['secrets', 'create', '--help']);
  assert.equal(h.stdout, r.stdout);
  const alias = await run(['md', '-h']);
  assert.match(alias.stdout, /--wrap-field/);
});

test('--version prints "<bin> <version>"', async () => {
  const r = await run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `aivault ${pkg.version}\n`);
});

test('unknown command and unknown flag are usage errors (exit 2) with a hint', async () => {
  const a = await run(['frobnicate']);
  assert.equal(a.code, 2);
  assert.equal(a.stdout, '');
  assert.match(a.stderr, /unrecognized subcommand 'frobnicate'/);
  assert.match(a.stderr, /aivault help/);
  const b = await run(['status', '--bogus']);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /unexpected argument '--bogus'/);
  assert.match(b.stderr, /aivault help status/);
  const c = await run(['secrets', 'resolve']);
  assert.equal(c.code, 2, 'there is no resolve command (cli.md §1.8)');
  const d = await run(['capabilities', 'resolve']);
  assert.equal(d.code, 2);
});

test('a typo gets a suggestion', async () => {
  const r = await run(['secrets', 'lst']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /'list'/);
});

test('a bare group prints its subcommands on stderr and exits 2', async () => {
  const r = await run(['secrets']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /attach-group/);
  const h = await run(['secrets', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /attach-group/);
});

test('no stack trace ever reaches stderr', async () => {
  const r = await run(['invoke', 'x/y', '--stream', '--request', '{', '--request-file', 'p']);
  assert.equal(r.code, 1);
  assert.ok(!/\n\s+at /.test(r.stderr), r.stderr);
});

const SPEC: CommandSpec = {
  path: 'demo',
  summary: 'demo',
  flags: {
    name: { type: 'string', help: '' },
    alias: { type: 'string', multiple: true, help: '' },
    verbose: { type: 'boolean', short: 'v', help: '' },
  },
  positionals: [{ name: 'ID', required: true, help: '' }],
};

test('parser: --flag=value, repeatable order, -v, values that look like flags, --', () => {
  const p = parseArgs(['X', '--name=a=b', '--alias', 'one', '--alias=two', '-v'], SPEC);
  assert.equal(p.string('name'), 'a=b');
  assert.deepEqual(p.strings('alias'), ['one', 'two']);
  assert.equal(p.flag('verbose'), true);
  assert.deepEqual(p.positionals, ['X']);
  assert.equal(parseArgs(['--name', '-', 'X'], SPEC).string('name'), '-');
  assert.deepEqual(parseArgs(['--', '--name'], SPEC).positionals, ['--name']);
});

test('parser: non-repeatable twice, missing value, missing positional, value on a boolean', () => {
  const usage = (argv: string[], re: RegExp) =>
    assert.throws(() => parseArgs(argv, SPEC), (e: Error & { code?: string }) => e.code === 'usage' && re.test(e.message));
  usage(['X', '--name', 'a', '--name', 'b'], /cannot be used multiple times/);
  usage(['X', '-v', '--verbose'], /cannot be used multiple times/);
  usage(['X', '--name'], /a value is required for '--name/);
  usage([], /required argument <ID>/);
  usage(['X', '--verbose=yes'], /takes no value/);
  usage(['X', 'Y'], /unexpected argument 'Y'/);
  usage(['X', '-x'], /unexpected argument '-x'/);
});

test('numbers and enums are checked (usage errors)', async () => {
  const a = await run(['audit', '--limit', 'ten']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /invalid value 'ten' for '--limit'/);
  const b = await run(['secrets', 'list', '--scope', 'Global']);
  assert.equal(b.code, 2, 'no case folding');
  assert.match(b.stderr, /possible values: global, workspace, group/);
});
