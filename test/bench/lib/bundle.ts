// The functions bundled as the image bundles them (build/bundle.ts), laid out as in the image: dist/ beside
// package.json (the metrics read the version from it) and node_modules (the packages left out of the bundle).
import { copyFileSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunction } from '../../../build/bundle.ts';

const ROOT = join(import.meta.dirname, '../../..');

export async function bundleLikeTheImage(fn: string, outDir: string): Promise<string> {
  copyFileSync(join(ROOT, 'package.json'), join(outDir, 'package.json'));
  if (!existsSync(join(outDir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'));
  return bundleFunction(fn, outDir);
}
