// The layers hold: product code never reaches into dev tooling or tests, the image ships no dev tooling,
// and the pure decision modules do no I/O, not even through what they import.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const DEV = 'shared/dev/';

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

interface Import {
  spec: string;
  /** Erased at run time: `import type` / `export type`. */
  typeOnly: boolean;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec !== undefined) out.push({ spec, typeOnly: m[2] !== undefined });
  }
  return out;
}

/** A relative import as a project path; a package or node: builtin as it is written. */
function resolveSpec(from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return relative(ROOT, resolve(ROOT, dirname(from), spec)).split(sep).join('/');
}

const product = [...tsFiles('functions'), ...tsFiles('shared')].filter((f) => !f.startsWith(DEV));

test('the import scanner sees value, type, side-effect and dynamic imports', () => {
  const seen = importsOf('test/layering.test.ts').map((i) => i.spec);
  for (const spec of ['node:assert/strict', 'node:fs', 'node:path', 'node:test']) assert.ok(seen.includes(spec), spec);
  const client = importsOf('shared/kubernetes/client.ts');
  assert.ok(client.some((i) => i.spec === '@kubernetes/client-node' && i.typeOnly), 'the type-only import of the client');
  assert.ok(client.some((i) => i.spec === '@kubernetes/client-node' && !i.typeOnly), 'the dynamic import of the client');
});

test('product code (functions/, shared/ but its dev/ folder) imports nothing from test/ or the dev tooling', () => {
  assert.ok(product.length > 50, `found only ${product.length} product files`);
  const bad: string[] = [];
  for (const file of product) {
    for (const { spec } of importsOf(file)) {
      const target = resolveSpec(file, spec);
      if (target.startsWith('test/') || target.startsWith(DEV)) bad.push(`${file} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

/** What a pure module may not reach at run time: the transport, the store, the cluster, the network. */
const IO_MODULES = [/^shared\/(http|store|kubernetes|emit|runtime|cli)\//, /^(ioredis|undici|ws|cloudevents|pino|@kubernetes\/client-node)$/, /^node:(net|http|https|tls|dgram|fs|fs\/promises|child_process|dns)$/];

/** Every module a file reaches through run-time imports, with the chain that leads there. */
function runtimeClosure(start: string): Map<string, string[]> {
  const reached = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imp of importsOf(file)) {
      if (imp.typeOnly) continue;
      const target = resolveSpec(file, imp.spec);
      if (reached.has(target)) continue;
      reached.set(target, [...reached.get(file)!, target]);
      if (target.endsWith('.ts')) queue.push(target);
    }
  }
  return reached;
}

const pure = product.filter((f) => f.startsWith('shared/healing/') || /\/evaluate[^/]*\.ts$/.test(f));

test('the pure decision modules import no I/O module, directly or through another module', () => {
  assert.ok(pure.some((f) => f.endsWith('/decide.ts')), 'decide.ts is among the pure modules');
  assert.ok(pure.some((f) => f.endsWith('/guard.ts')), 'guard.ts is among the pure modules');
  const bad: string[] = [];
  for (const file of pure) {
    for (const [target, chain] of runtimeClosure(file)) {
      if (IO_MODULES.some((re) => re.test(target))) bad.push(chain.join(' → '));
    }
  }
  assert.deepEqual(bad, []);
});

test('the scanner catches an I/O module reached through another module', () => {
  // The healer's wiring reaches the store; if the closure missed that, the test above would prove nothing.
  const reached = [...runtimeClosure('functions/healer/index.ts').keys()];
  assert.ok(reached.some((t) => t.startsWith('shared/store/')), reached.join(', '));
});

test('the image ships no dev tooling: .dockerignore excludes shared/dev/ after allowing shared/', () => {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  const allow = lines.indexOf('!shared/');
  const deny = lines.findIndex((l) => l === 'shared/dev/' || l === 'shared/dev');
  assert.ok(allow >= 0, '.dockerignore allows shared/');
  // Docker applies the last matching pattern: the exclusion must come after the allowance.
  assert.ok(deny > allow, `.dockerignore must exclude shared/dev/ after "!shared/" (found at line ${deny + 1})`);
});
