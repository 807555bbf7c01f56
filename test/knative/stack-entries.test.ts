// The manifests run each function's bundle (dist/<name>/index.mjs); the local stack reads the same manifests and
// runs the sources the bundles are built from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifests, sourceEntry } from '../../shared/dev/stack/manifests.ts';

const ROOT = join(import.meta.dirname, '../..');

test('the local stack takes every bundled function of the manifests, as its source entry', async () => {
  const manifests = await loadManifests(join(ROOT, 'knative'));
  const entries = Object.fromEntries(manifests.functions.map((f) => [f.name, f.entry]));
  assert.deepEqual(entries, {
    'check-dependencies': 'functions/check-dependencies/index.ts',
    'check-egress': 'functions/check-egress/index.ts',
    'check-pods': 'functions/check-pods/index.ts',
    healer: 'functions/healer/index.ts',
    'proxy-selector': 'functions/proxy-selector/index.ts',
  });
  for (const entry of Object.values(entries)) await access(join(ROOT, entry));
});

test('only a bundle path is turned into its source; anything else is left as it is', () => {
  assert.equal(sourceEntry('dist/healer/index.mjs'), 'functions/healer/index.ts');
  assert.equal(sourceEntry('functions/healer/index.ts'), 'functions/healer/index.ts');
  assert.equal(sourceEntry('dist/../etc/index.mjs'), 'dist/../etc/index.mjs');
  assert.equal(sourceEntry(undefined), undefined);
});
