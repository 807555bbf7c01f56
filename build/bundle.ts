// Bundles each function for the image: one ES module per function (a chunk per dynamic import, so what a function
// imports on first use, the Kubernetes client above all, stays off its start path). Node then reads a few files
// instead of resolving, reading and stripping the types of hundreds: see the cold-start figures in the README.
// Run: node build/bundle.ts <outDir>   (writes <outDir>/dist/<function>/index.mjs)
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Packages left out of the bundle, loaded from node_modules beside dist/ at run time (they are imported on first
 * use only): grpc-health-check reads its .proto files from its own folder; @grpc/grpc-js, imported dynamically,
 * would lose its named exports to the bundler's CommonJS interop; bufferutil and utf-8-validate are optional
 * speed-ups of ws, not installed.
 */
export const EXTERNAL = ['@grpc/grpc-js', 'grpc-health-check', 'bufferutil', 'utf-8-validate'];

export function functionNames(): string[] {
  return readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Writes <outDir>/dist/<fn>/index.mjs and its chunks; returns the entry's path. */
export async function bundleFunction(fn: string, outDir: string): Promise<string> {
  const dir = join(outDir, 'dist', fn);
  await build({
    entryPoints: { index: join(ROOT, 'functions', fn, 'index.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // CommonJS dependencies call require(): an ES module has to be given one.
    banner: { js: "import { createRequire as __selfhealRequire } from 'node:module'; const require = __selfhealRequire(import.meta.url);" },
    external: EXTERNAL,
    // Less to read and compile at start; names kept, since errors and logs show them.
    minify: true,
    keepNames: true,
    logLevel: 'warning',
  });
  return join(dir, 'index.mjs');
}

if (import.meta.main) {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('usage: node build/bundle.ts <outDir>');
  for (const fn of functionNames()) console.log(await bundleFunction(fn, resolve(outDir)));
}
