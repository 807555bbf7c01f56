// --speed N divides every rule duration, defaults included, and the healer's budget window; a probe's timeout stays.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRulesFile } from '../../../shared/rules/load.ts';
import { scaledEnv, writeScaledRules } from '../../../shared/dev/stack/speed.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

test('the seed rules at --speed 10: cooldowns, verify windows and startup graces a tenth, timeouts as they were', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'selfheal-speed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const original = await loadRulesFile(join(ROOT, 'knative', 'rules.yaml'));
  const scaled = await loadRulesFile(await writeScaledRules(join(ROOT, 'knative', 'rules.yaml'), 10, dir));
  assert.equal(scaled.rules.length, original.rules.length);
  for (const rule of original.rules) {
    const fast = scaled.get(rule.name)! as Record<string, unknown>;
    const slow = rule as Record<string, unknown>;
    assert.equal(fast.cooldown, (slow.cooldown as number) / 10, rule.name);
    assert.equal(fast.verifyWindow, (slow.verifyWindow as number) / 10, rule.name);
    assert.equal(fast.startupGrace, slow.startupGrace === undefined ? undefined : (slow.startupGrace as number) / 10, rule.name);
    assert.equal(fast.timeoutMs, slow.timeoutMs, rule.name);
    assert.equal(fast.failureThreshold, slow.failureThreshold, rule.name);
  }
  // nginx-http says cooldown: 5m and leaves verifyWindow to its default of 2m.
  assert.deepEqual([scaled.get('nginx-http')!.cooldown, scaled.get('nginx-http')!.verifyWindow], [30_000, 12_000]);
});

test('a rule with a startupGrace keeps the rest of the file as written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'selfheal-speed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'in.yaml');
  await writeFile(file, 'rules:\n  - name: w\n    kind: tcp\n    namespace: web\n    labelSelector: app=w\n    port: 80\n    startupGrace: 30s\n    cooldown: 7s\n');
  const out = await mkdtemp(join(dir, 'out-'));
  const scaled = await loadRulesFile(await writeScaledRules(file, 4, out));
  const rule = scaled.get('w')! as Record<string, unknown>;
  assert.deepEqual([rule.startupGrace, rule.cooldown, rule.verifyWindow, rule.port], [7_500, 1_750, 30_000, 80]);
});

test('the healer budget window is divided too, from the manifest value or the default', () => {
  assert.deepEqual(scaledEnv({ BUDGET_WINDOW: '1h' }, 10, {}), { BUDGET_WINDOW: '360' });
  assert.deepEqual(scaledEnv({}, 2, { BUDGET_WINDOW: 3_600_000 }), { BUDGET_WINDOW: '1800' });
});
