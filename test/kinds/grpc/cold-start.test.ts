// Cold start: check-pods and the healer load every kind through the catalog, yet neither imports grpc-js (nor the
// health proto) until a grpc rule is first planned. Each case runs in a fresh process that records what it resolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const GRPC = /^(@grpc\/|grpc-health-check$|protobufjs)/;

/** Imports `modules` in a new Node process, runs `then` there, and returns the gRPC packages it resolved. */
async function grpcResolvedBy(modules: string[], then = ''): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) { if (${GRPC}.test(specifier)) seen.add(specifier); return next(specifier, context); } });
    for (const m of ${JSON.stringify(modules)}) await import(new URL(m, ${JSON.stringify(`file://${ROOT}/`)}).href);
    ${then}
    console.log(JSON.stringify([...seen].sort()));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

test('check-pods starts without grpc-js: its entry, its wiring and the rules, grpc seed rule included', async () => {
  const loadRules = `const { loadRulesFile } = await import(new URL('shared/rules/load.ts', ${JSON.stringify(`file://${ROOT}/`)}).href);
    const rules = await loadRulesFile(${JSON.stringify(join(ROOT, 'knative', 'rules.yaml'))});
    if (!rules.rules.some((r) => r.kind === 'grpc')) throw new Error('no grpc seed rule');`;
  assert.deepEqual(await grpcResolvedBy(['functions/check-pods/index.ts', 'shared/checks/wiring.ts'], loadRules), []);
});

test('the healer starts without grpc-js: its entry and wiring load the kinds catalog through the rules schema', async () => {
  assert.deepEqual(await grpcResolvedBy(['functions/healer/index.ts', 'functions/healer/wiring.ts', 'shared/rules/schema.ts']), []);
});

test('the first use imports it (so the two tests above would have seen it)', async () => {
  const use = `const { loadGrpc } = await import(new URL('shared/kinds/grpc/grpc-module.ts', ${JSON.stringify(`file://${ROOT}/`)}).href); await loadGrpc();`;
  const seen = await grpcResolvedBy(['shared/kinds/catalog.ts'], use);
  assert.ok(seen.includes('@grpc/grpc-js'), seen.join(', '));
  assert.ok(seen.includes('grpc-health-check'), seen.join(', '));
});
