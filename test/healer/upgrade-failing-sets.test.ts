// After an upgrade the failing state the previous version recorded still guards: its failing sets were hashes under
// other names ({P}:failing:<rule>, {P}:unit:<unit id>:failing: field = target id, value = when recorded, ms), and
// the healer moves them into today's scored sets when it starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

const DB = 'shop-deps:shop:Service:db';

test('a dependency the previous version recorded as failing still holds back restarts after the upgrade', async (t) => {
  const h = await startHarness(t, {
    // What the previous version's commit script left after two failures of the dependency (failureThreshold 2),
    // the last one 5 s before the upgrade.
    before: async (client, p) => {
      await client.hset(`${p}:target:${DB}`, { version: '2', consecutiveFailures: '2', totalFailures: '2', lastResultAt: String(T0 - 5_000), lastFailureAt: String(T0 - 5_000) });
      await client.hset(`${p}:failing:shop-deps`, DB, String(T0 - 5_000));
      await client.pexpire(`${p}:failing:shop-deps`, 7 * 86_400_000);
    },
  });
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const p = `{${h.prefix}}`;
  assert.equal(await h.client.exists(`${p}:failing:shop-deps`), 0, 'the earlier hash is gone');
  assert.ok(Number(await h.client.zscore(`${p}:failing:rule:shop-deps`, DB)) > T0, 'its entry counts in the scored set');

  // The new version takes over before the dependency's next check: a dependent pod reaches its threshold.
  let last;
  for (const i of [1, 2, 3]) {
    h.clock.now = T0 + i;
    last = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + i));
  }
  assert.deepEqual([dataOf(last!).action, dataOf(last!).reason], ['alert', 'dependency-failing']);
  assert.equal(h.evictions(), 0, 'no restart while the dependency fails');
});

test('an earlier failure whose window ran out is dropped, not moved; a unit\'s earlier set moves with its window', async (t) => {
  const unitMember = 'web-http:shop:Pod:web-1';
  const h = await startHarness(t, {
    before: async (client, p) => {
      // Recorded a day before the upgrade: longer ago than any window of the test rules.
      await client.hset(`${p}:failing:shop-deps`, DB, String(T0 - 86_400_000));
      await client.hset(`${p}:unit:web-http:shop:Deployment:web:failing`, unitMember, String(T0 - 1_000));
    },
  });
  const p = `{${h.prefix}}`;
  assert.equal(await h.client.exists(`${p}:failing:shop-deps`, `${p}:failing:rule:shop-deps`), 0, 'the stale entry is gone, nothing moved');
  const rule = h.rules.get('web-http') as { verifyWindow: number; cooldown: number };
  assert.equal(Number(await h.client.zscore(`${p}:failing:unit:web-http:shop:Deployment:web`, unitMember)), T0 - 1_000 + rule.verifyWindow + rule.cooldown);
  assert.equal(await h.client.exists(`${p}:unit:web-http:shop:Deployment:web:failing`), 0);
});
