// Every package.json `exports` / `bin` target has a tsup entry (STYLE.md rule 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { COMMONJS_ENTRIES, ENTRIES } from '../tsup.config.js';

const ROOT = resolve(import.meta.dirname, '..');

test('package exports and bins match the tsup entries', async () => {
  const pkg = JSON.parse(await readFile(resolve(ROOT, 'package.json'), 'utf8'));
  const targets = new Set<string>();
  for (const value of Object.values(pkg.exports) as Array<{ import: string; types: string }>) {
    targets.add(value.import);
    assert.equal(value.types, value.import.replace(/\.js$/, '.d.ts'));
  }
  for (const value of Object.values(pkg.bin) as string[]) targets.add(value);
  const built = new Set(Object.keys(ENTRIES).map((name) => `./dist/${name}${COMMONJS_ENTRIES.has(name) ? '.cjs' : '.js'}`));
  assert.deepEqual([...targets].sort(), [...built].sort());
  assert.deepEqual(pkg.files, ['dist']);
  assert.equal(pkg.type, 'module');
});

test('engines.node is at least what every dependency needs', async () => {
  const pkg = JSON.parse(await readFile(resolve(ROOT, 'package.json'), 'utf8'));
  const floor = (range: string) => range.match(/(\d+)\.(\d+)\.(\d+)/)!.slice(1).map(Number);
  const ours = floor(pkg.engines.node);
  for (const dep of Object.keys(pkg.dependencies)) {
    const depPkg = JSON.parse(await readFile(resolve(ROOT, 'node_modules', dep, 'package.json'), 'utf8'));
    const need = depPkg.engines?.node;
    if (!need || !/\d+\.\d+\.\d+/.test(need)) continue;
    const theirs = floor(need);
    const cmp = ours[0]! - theirs[0]! || ours[1]! - theirs[1]! || ours[2]! - theirs[2]!;
    assert.ok(cmp >= 0, `${dep} needs node ${need}, engines says ${pkg.engines.node}`);
  }
});
