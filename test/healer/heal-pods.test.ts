import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';

test('threshold, eviction, cooldown, escalation to scale, and the success rate', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const failAt = (name: string, at: number) => h.send(result('web-http', 'http', podTarget('shop', name), 'failed', at));

  // below the threshold: audited, nothing done
  for (const i of [1, 2]) {
    const res = await failAt(pod!, T0 + i * 1000);
    assert.equal(res.status, 200);
    assert.equal(res.headers['ce-type'], EventType.healSkipped);
    assert.equal(dataOf(res).reason, 'below-threshold');
  }
  assert.equal(h.evictions(), 0);

  // the threshold: the pod is evicted and comes back under a new name
  h.clock.now = T0 + 3_000;
  const healed = await failAt(pod!, T0 + 3_000);
  assert.equal(healed.headers['ce-type'], EventType.healPerformed);
  assert.deepEqual([dataOf(healed).action, dataOf(healed).reason], ['restart', 'threshold-reached']);
  assert.equal(h.evictions(), 1);
  await h.sim.settle();
  const pods = h.podsOf('shop', 'web');
  assert.equal(pods.length, 2);
  assert.ok(!pods.includes(pod!), 'the evicted pod is gone');
  const replacement = pods.find((p) => p !== pod && !p.startsWith('x'))!;

  // the replacement fails too: within the cooldown nothing more is done
  for (const i of [4, 5, 6]) {
    h.clock.now = T0 + i * 1000;
    const res = await failAt(replacement, T0 + i * 1000);
    assert.equal(dataOf(res).reason, i < 6 ? 'below-threshold' : 'cooldown');
  }
  assert.equal(h.evictions(), 1);

  // past the cooldown and the verification window: the restart did not heal, next rung is scale
  h.clock.now = T0 + 70_000;
  const escalated = await failAt(replacement, T0 + 70_000);
  assert.equal(escalated.headers['ce-type'], EventType.healPerformed);
  assert.deepEqual([dataOf(escalated).action, dataOf(escalated).reason], ['scale', 'escalated']);
  const deployment = h.sim.getDeployment('shop', 'web') as { spec: { replicas: number } };
  assert.equal(deployment.spec.replicas, 3);
  assert.ok(h.sim.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web/scale') && r.contentType === 'application/merge-patch+json'));

  // passes after the window settle the scale as a success
  h.clock.now = T0 + 110_000;
  await h.send(result('web-http', 'http', podTarget('shop', replacement), 'passed', T0 + 105_000));
  const settled = await h.send(result('web-http', 'http', podTarget('shop', replacement), 'passed', T0 + 110_000));
  assert.equal(dataOf(settled).reason, 'healed');
  // more passes say nothing new: one action is settled once
  h.clock.now = T0 + 115_000;
  assert.equal((await h.send(result('web-http', 'http', podTarget('shop', replacement), 'passed', T0 + 115_000))).status, 202);
  const stats = await h.client.hgetall(`{${h.prefix}}:stats:web-http`);
  assert.equal(stats['restart:performed'], '1');
  assert.equal(stats['restart:not-healed'], '1');
  assert.equal(stats['scale:performed'], '1');
  assert.equal(stats['scale:healed'], '1');
  const unit = await h.client.hgetall(`{${h.prefix}}:unit:web-http:shop:Deployment:web`);
  assert.deepEqual([unit.actionsPerformed, unit.actionsHealed, unit.actionsNotHealed, unit.ladderStep, unit.verifyingAction], ['2', '1', '1', '0', '']);

  // the target's history stream tells the story
  const history = await h.client.xrange(`{${h.prefix}}:history:web-http:shop:Pod:${pod}`, '-', '+');
  const reasons = history.map(([, fields]) => fields[fields.indexOf('reason') + 1]);
  assert.deepEqual(reasons, ['below-threshold', 'below-threshold', 'threshold-reached', 'threshold-reached']);
  assert.equal(history.at(-1)![1][history.at(-1)![1].indexOf('decision') + 1], 'performed');
});

test('redelivery: the same event three times has one effect', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const first = result('web-http', 'http', podTarget('shop', pod!), 'failed', T0);
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await h.send(first, { id: 'same-id', source: '/selfheal/check-pods/web-http' }));
  assert.equal(answers[0]!.status, 200);
  assert.deepEqual(answers.slice(1).map((a) => a.status), [202, 202]);
  const state = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(state.consecutiveFailures, '1');
  assert.equal(await h.client.xlen(`{${h.prefix}}:history:web-http:shop:Pod:${pod}`), 1);
  // the same id from another source is another event
  const other = await h.send(first, { id: 'same-id', source: '/selfheal/check-pods/other' });
  assert.equal(other.status, 200);
});

test('a stale result changes nothing', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 5_000));
  const stale = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'passed', T0 + 1_000));
  assert.equal(stale.status, 202, 'a stale pass says nothing');
  const state = await h.client.hgetall(`{${h.prefix}}:target:web-http:shop:Pod:${pod}`);
  assert.equal(state.consecutiveFailures, '1');
});

test('eviction blocked by a PodDisruptionBudget: no action now, the action on a later event once allowed', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  h.sim.createPdb({ namespace: 'shop', name: 'web', selector: { app: 'web' }, minAvailable: 2 });
  for (const i of [1, 2]) await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + i));
  const blocked = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 3));
  assert.equal(blocked.headers['ce-type'], EventType.healSkipped);
  assert.deepEqual([dataOf(blocked).action, dataOf(blocked).reason], ['restart', 'disruption-budget']);
  assert.ok(h.podsOf('shop', 'web').includes(pod!));
  assert.equal(h.sim.requests.filter((r) => r.path.endsWith('/eviction') && r.status === 429).length, 1);
  assert.equal(await h.client.zcard(`{${h.prefix}}:budget:shop`), 0, 'a deferred action gives its budget back');

  h.sim.deletePdb('shop', 'web');
  const allowed = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 4));
  assert.equal(allowed.headers['ce-type'], EventType.healPerformed);
  assert.equal(h.evictions(), 1);
  await h.sim.settle();
  assert.ok(!h.podsOf('shop', 'web').includes(pod!));
});
