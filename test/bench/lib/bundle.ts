// Bundles a function's entry with esbuild into one ES module (plus a chunk per dynamic import, so what the entry
// imports lazily, such as the Kubernetes client, stays off its start path). Used by the cold-start bench.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '../../..');

/** Writes <outDir>/dist/<fn>/index.mjs; package.json beside dist/, where the metrics read the version from. */
export async function bundleFunction(fn: string, outDir: string): Promise<string> {
  const dir = join(outDir, 'dist', fn);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(outDir, 'package.json'));
  await build({
    entryPoints: { index: join(ROOT, 'functions', fn, 'index.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // CommonJS dependencies call require(): give the ES module one.
    banner: { js: "import { createRequire as __selfhealRequire } from 'node:module'; const require = __selfhealRequire(import.meta.url);" },
    // Optional native speed-ups of ws: absent, and ws works without them.
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  return join(dir, 'index.mjs');
}
