/**
 * Generates the built-in registry data from the contract's tables:
 *   - src/core/registry/data/<provider>.json   (registry.md §2 schema, one per provider)
 *   - src/core/registry/data/index.ts          (static imports: the bundle carries the data)
 *   - src/core/registry/capability-shapes.ts   (id → {methods, pathPrefixes}, for the thin client)
 *
 * Capabilities, hosts, claimed names and alternatives come from `registry-capabilities.md`; the auth
 * templates and placeholders (which that file only names) come from the table of registry.md §13,
 * transcribed below. Run: `node --import tsx scripts/gen-registry.ts [path/to/registry-capabilities.md]`.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SPEC = process.argv[2] ?? resolve(ROOT, '../shared/spec/registry-capabilities.md');
const DATA_DIR = join(ROOT, 'src/core/registry/data');
const SHAPES_FILE = join(ROOT, 'src/core/registry/capability-shapes.ts');

type Auth = unknown;
const bearer = { header: { header_name: 'authorization', value_template: 'Bearer {{secret}}' } };
const header = (name: string, template: string) => ({ header: { header_name: name, value_template: template } });
const GOOGLE_REFRESH = 'https://auth.moldable.sh/api/google/refresh';

/** registry.md §13: auth strategy and placeholders of every provider that is not plain `Bearer {{secret}}`. */
const AUTH: Record<string, { auth: Auth; placeholders?: Record<string, string> }> = {
  anthropic: { auth: header('x-api-key', '{{secret}}') },
  deepgram: { auth: header('authorization', 'Token {{secret}}') },
  deepl: { auth: header('authorization', 'DeepL-Auth-Key {{secret}}') },
  discord: { auth: header('authorization', 'Bot {{secret}}') },
  elevenlabs: { auth: header('xi-api-key', '{{secret}}') },
  fal: { auth: header('authorization', 'Key {{secret}}') },
  gemini: { auth: { query: { param_name: 'key' } } },
  'google-calendar': {
    auth: {
      o_auth2: {
        grant_type: 'refresh_token',
        token_endpoint: GOOGLE_REFRESH,
        scopes: ['https://www.googleapis.com/auth/calendar.events', 'https://www.googleapis.com/auth/calendar.readonly'],
      },
    },
  },
  'google-gmail': {
    auth: {
      o_auth2: {
        grant_type: 'refresh_token',
        token_endpoint: GOOGLE_REFRESH,
        scopes: [
          'https://www.googleapis.com/auth/gmail.modify',
          'https://www.googleapis.com/auth/gmail.send',
          'https://www.googleapis.com/auth/contacts.readonly',
        ],
      },
    },
  },
  'google-places': { auth: header('x-goog-api-key', '{{secret}}') },
  mailgun: { auth: 'basic', placeholders: { MAILGUN_API_KEY: 'password' } },
  plaid: {
    auth: {
      multi_header: [
        { header_name: 'PLAID-CLIENT-ID', value_template: '{{client_id}}' },
        { header_name: 'PLAID-SECRET', value_template: '{{secret}}' },
      ],
    },
    placeholders: { PLAID_CLIENT_ID: 'client_id', PLAID_SECRET: 'secret' },
  },
  postmark: { auth: header('X-Postmark-Server-Token', '{{secret}}') },
  'remove-bg': { auth: header('X-Api-Key', '{{secret}}') },
  shopify: { auth: header('X-Shopify-Access-Token', '{{secret}}') },
  telegram: { auth: { path: { prefix_template: '/bot{{secret}}' } } },
  trello: {
    auth: {
      multi_query: [
        { param_name: 'key', value_template: '{{key}}' },
        { param_name: 'token', value_template: '{{token}}' },
      ],
    },
    placeholders: { TRELLO_API_KEY: 'key', TRELLO_TOKEN: 'token' },
  },
  twilio: { auth: 'basic', placeholders: { TWILIO_ACCOUNT_SID: 'username', TWILIO_AUTH_TOKEN: 'password' } },
  youtube: { auth: { query: { param_name: 'key' } } },
};

/** Strategy kinds as named in registry-capabilities.md, to cross-check the table above. */
function authKind(auth: Auth): string {
  return typeof auth === 'string' ? auth : Object.keys(auth as object)[0]!;
}

interface ParsedProvider {
  provider: string;
  secrets: string[];
  authKind: string;
  hosts: string[];
  alternatives: unknown[];
  capabilities: Array<{ id: string; methods: string[]; pathPrefixes: string[]; hosts: string[] }>;
}

function parseSpec(markdown: string): ParsedProvider[] {
  const out: ParsedProvider[] = [];
  let current: ParsedProvider | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## (\S+)\s*$/.exec(line);
    if (heading) {
      current = { provider: heading[1]!, secrets: [], authKind: '', hosts: [], alternatives: [], capabilities: [] };
      out.push(current);
      continue;
    }
    if (!current) continue;
    const meta = /^- secrets: (.*); auth: `([^`]+)`; hosts: (.*)$/.exec(line);
    if (meta) {
      current.secrets = ticks(meta[1]!);
      current.authKind = meta[2]!;
      current.hosts = ticks(meta[3]!);
      continue;
    }
    const alt = /^- credential alternatives: (\[.*\])\s*$/.exec(line);
    if (alt) {
      current.alternatives = JSON.parse(alt[1]!) as unknown[];
      continue;
    }
    const row = /^\| `([^`]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$/.exec(line);
    if (row) {
      current.capabilities.push({
        id: row[1]!,
        methods: row[2]!.trim().split(/\s+/).filter(Boolean),
        pathPrefixes: ticks(row[3]!),
        hosts: row[4]!.trim().split(/[\s,]+/).filter(Boolean),
      });
    }
  }
  return out;
}

function ticks(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

function buildDocument(p: ParsedProvider): Record<string, unknown> {
  const entry = AUTH[p.provider] ?? { auth: bearer };
  if (authKind(entry.auth) !== p.authKind) throw new Error(`${p.provider}: auth kind ${authKind(entry.auth)} != spec ${p.authKind}`);
  const vaultSecrets: Record<string, string> = {};
  for (const name of p.secrets) vaultSecrets[name] = entry.placeholders?.[name] ?? 'secret';
  if (p.hosts.length !== 1 && p.capabilities.some((c) => c.hosts.length === 0)) {
    throw new Error(`${p.provider}: capability without host on a multi-host provider`);
  }
  const capabilities = [...p.capabilities]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => ({
      id: c.id,
      provider: p.provider,
      allow: {
        hosts: c.hosts.length > 0 ? [...c.hosts].sort() : [...p.hosts],
        methods: [...c.methods].sort(),
        pathPrefixes: [...c.pathPrefixes].sort(),
      },
    }));
  return {
    provider: p.provider,
    vaultSecrets,
    auth: entry.auth,
    hosts: [...p.hosts].sort(),
    credentialAlternatives: p.alternatives,
    capabilities,
  };
}

function identifier(provider: string): string {
  return provider.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

async function main(): Promise<void> {
  const providers = parseSpec(await readFile(SPEC, 'utf8')).sort((a, b) => (a.provider < b.provider ? -1 : 1));
  const total = providers.reduce((n, p) => n + p.capabilities.length, 0);
  if (providers.length !== 44 || total !== 283) throw new Error(`expected 44/283, parsed ${providers.length}/${total}`);

  await mkdir(DATA_DIR, { recursive: true });
  for (const name of await readdir(DATA_DIR)) if (name.endsWith('.json')) await rm(join(DATA_DIR, name));
  const shapes: Array<[string, { methods: string[]; pathPrefixes: string[] }]> = [];
  for (const p of providers) {
    const doc = buildDocument(p);
    await writeFile(join(DATA_DIR, `${p.provider}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    for (const c of doc.capabilities as Array<{ id: string; allow: { methods: string[]; pathPrefixes: string[] } }>) {
      shapes.push([c.id, { methods: c.allow.methods, pathPrefixes: c.allow.pathPrefixes }]);
    }
  }

  const index = [
    '// Generated by scripts/gen-registry.ts from the contract tables; do not edit by hand.',
    '// Static imports: the bundle carries the registry and nothing is read from disk at run time (registry.md §1).',
    ...providers.map((p) => `import ${identifier(p.provider)} from './${p.provider}.json' with { type: 'json' };`),
    '',
    '/** Every built-in provider document with its file name, in path order (registry.md §1 "Loading"). */',
    'export const BUILTIN_REGISTRY_FILES: ReadonlyArray<{ readonly file: string; readonly document: unknown }> = [',
    ...providers.map((p) => `  { file: '${p.provider}.json', document: ${identifier(p.provider)} },`),
    '];',
    '',
  ].join('\n');
  await writeFile(join(DATA_DIR, 'index.ts'), index);

  for (const [id, s] of shapes) {
    if (/[`\\]|\$\{/.test(JSON.stringify([id, s]))) throw new Error(`capability ${id}: a backtick, backslash or \${ cannot go into the shapes template literal`);
  }
  const shapesSource = [
    '// Generated by scripts/gen-registry.ts from the registry data; do not edit by hand.',
    '// Deliberately import-free: the thin CLI client reads method/path defaults without loading the registry.',
    '',
    '/** Allowed methods and path prefixes of one built-in capability. */',
    'export interface CapabilityShape {',
    '  readonly methods: readonly string[];',
    '  readonly pathPrefixes: readonly string[];',
    '}',
    '',
    '/**',
    ` * The table as JSON text: V8 scans a string literal far faster than it compiles a ${shapes.length}-entry`,
    ' * object literal, and `capabilityShape` parses only the one line it needs (start-up of `aivault invoke`).',
    ' */',
    `const SHAPES_JSON = \`{\n${shapes.map(([id, s]) => `${JSON.stringify(id)}:${JSON.stringify({ methods: s.methods, pathPrefixes: s.pathPrefixes })}`).join(',\n')}\n}\`;`,
    '',
    'let table: Readonly<Record<string, CapabilityShape>> | undefined;',
    '',
    '/** Parses the table once, on first use. */',
    'function shapes(): Readonly<Record<string, CapabilityShape>> {',
    '  if (table !== undefined) return table;',
    '  const parsed = JSON.parse(SHAPES_JSON) as Record<string, CapabilityShape>;',
    '  for (const shape of Object.values(parsed)) Object.freeze(shape);',
    '  return (table = Object.freeze(parsed));',
    '}',
    '',
    '/**',
    ` * Every built-in capability id → its methods and path prefixes (${shapes.length} entries).`,
    ' *',
    ' * @see ../../../../shared/spec/registry.md §13.2-§13.3, cli.md §7.1',
    ' */',
    'export const CAPABILITY_SHAPES: Readonly<Record<string, CapabilityShape>> = /* @__PURE__ */ shapes();',
    '',
    '/**',
    ' * The shape of a built-in capability, or `undefined` for unknown (custom) ids.',
    ' *',
    ' * @example capabilityShape("openai/embeddings") // { methods: ["POST"], pathPrefixes: ["/v1/embeddings"] }',
    ' */',
    'export function capabilityShape(id: string): CapabilityShape | undefined {',
    '  const key = id.trim();',
    '  // One entry per line: parse only the line of this id (the CLI looks up one id per run).',
    '  const head = `\\n${JSON.stringify(key)}:`;',
    '  const start = SHAPES_JSON.indexOf(head);',
    '  if (start < 0) return undefined;',
    "  const end = SHAPES_JSON.indexOf('\\n', start + head.length);",
    "  const entry = SHAPES_JSON.slice(start + head.length, end).replace(/,$/, '');",
    '  return Object.freeze(JSON.parse(entry) as CapabilityShape);',
    '}',
    '',
  ].join('\n');
  await writeFile(SHAPES_FILE, shapesSource);
  process.stdout.write(`wrote ${providers.length} providers, ${total} capabilities\n`);
}

await main();
