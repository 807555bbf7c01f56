// The README points at the code as it is: every relative link resolves, and the test command it gives is CI's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('every relative link of the README names a file or folder that exists', () => {
  const links = [...README.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.length > 20, `only ${links.length} links found`);
  assert.deepEqual(links.filter((l) => !existsSync(join(ROOT, l))), []);
});

test('the code layout names every top-level folder of shared/', () => {
  const layout = README.slice(README.indexOf('## Code layout'), README.indexOf('## Events'));
  const dirs = readdirSync(join(ROOT, 'shared'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.ok(dirs.length > 10);
  for (const dir of dirs) {
    assert.match(layout, new RegExp(`\\b${dir}/`), `shared/${dir}/ is not in the layout`);
  }
});

test("CI runs the README's test command", () => {
  assert.match(README, /```sh\nnpm test\n```/);
  assert.match(readFileSync(join(ROOT, '.ci/run'), 'utf8'), /^npm test$/m);
});
