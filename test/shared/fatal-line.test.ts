// A function that cannot start on a bad rules file says so once: one fatal line whose message lists every problem,
// each once, with no stack trace and no copy of the list in other fields.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

test('a bad rules file: exit 1, one fatal line, each problem once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-fatal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, 'rules:\n  - name: a\n    kind: tcp\n    namespace: web\n    labelSelector: app=a\n    port: 80\n    cooldwn: 5m\n    actions: [restart, explode]\n');
  const run = spawnSync(process.execPath, [join(ROOT, 'functions', 'check-pods', 'index.ts')], {
    env: { ...process.env, RULES_FILE: file, K_SINK: 'http://127.0.0.1:9/', PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: '' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, run.stdout);
  assert.equal(run.stdout.split('cooldwn').length - 1, 1, run.stdout);
  assert.equal(run.stdout.split('explode').length - 1, 1, run.stdout);
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry.level, 'fatal');
  assert.equal(entry.err, undefined, 'no error object with its stack');
  assert.match(String(entry.msg), new RegExp(`^cannot start: invalid rules in ${file.replaceAll('/', '\\/')}:\\n  - `));
});
