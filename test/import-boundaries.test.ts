// The dependency rule (STYLE.md rule 1): core is pure; transports reach core only through its barrel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, dirname } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importSpecifiers(source: string): string[] {
  const specs: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(pattern)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

test('src/core imports no node built-ins and reads no process, console or global fetch', async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles(join(ROOT, 'src/core'))) {
    const source = stripComments(await readFile(file, 'utf8'));
    const rel = relative(ROOT, file);
    for (const spec of importSpecifiers(source)) {
      if (spec.startsWith('node:') || ['fs', 'net', 'http', 'https', 'os', 'path', 'child_process', 'undici', 'ws'].includes(spec)) {
        offenders.push(`${rel}: imports ${spec}`);
      }
      if (spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(join(ROOT, 'src/core'))) {
        offenders.push(`${rel}: reaches outside core via ${spec}`);
      }
    }
    if (/\bprocess\./.test(source)) offenders.push(`${rel}: reads process`);
    if (/\bconsole\./.test(source)) offenders.push(`${rel}: calls console`);
    if (/(?<![.\w])fetch\(/.test(source)) offenders.push(`${rel}: calls the global fetch`);
  }
  assert.deepEqual(offenders, []);
});

test('transports import core only through its barrels (the library one or the wire one)', async () => {
  const offenders: string[] = [];
  for (const dir of ['src/transport-inproc', 'src/transport-socket', 'src/transport-http']) {
    let files: string[];
    try {
      files = await sourceFiles(join(ROOT, dir));
    } catch {
      continue;
    }
    for (const file of files) {
      for (const spec of importSpecifiers(await readFile(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        const intoCore = target.startsWith(join(ROOT, 'src/core'));
        const barrels = [join(ROOT, 'src/core/index.js'), join(ROOT, 'src/core/protocol/index.js')];
        if (intoCore && !barrels.includes(target)) offenders.push(`${relative(ROOT, file)}: ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('core imports neither transports nor the CLI', async () => {
  for (const file of await sourceFiles(join(ROOT, 'src/core'))) {
    for (const spec of importSpecifiers(await readFile(file, 'utf8'))) {
      assert.ok(!/transport-|\/cli\//.test(spec), `${relative(ROOT, file)} imports ${spec}`);
    }
  }
});
