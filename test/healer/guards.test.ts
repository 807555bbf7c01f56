import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

async function failTimes(h: Harness, rule: string, namespace: string, pod: string, times: number, workload = 'web') {
  let last;
  for (let i = 1; i <= times; i++) last = await h.send(result(rule, 'http', podTarget(namespace, pod, workload), 'failed', T0 + i));
  return last!;
}

test('a pod without the opt-in label is never touched', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2, { app: 'web' });
  const res = await failTimes(h, 'web-http', 'shop', pod!, 3);
  assert.deepEqual([res.headers['ce-type'], dataOf(res).reason, dataOf(res).action], [EventType.healSkipped, 'not-opted-in', 'restart']);
  assert.equal(h.evictions(), 0);
});

test('a namespace outside the allow-list is never touched', async (t) => {
  const h = await startHarness(t, { env: { ALLOWED_NAMESPACES: 'shop' } });
  const [pod] = await deploy(h, 'elsewhere', 'web', 1);
  const res = await failTimes(h, 'outside-http', 'elsewhere', pod!, 1);
  assert.equal(dataOf(res).reason, 'namespace-not-allowed');
  assert.equal(h.evictions(), 0);
});

test('the namespace budget caps actions per window, and frees up when the window passes', async (t) => {
  const h = await startHarness(t, { env: { BUDGET_MAX_ACTIONS: '1', BUDGET_WINDOW: '10m' } });
  const pods = await deploy(h, 'shop', 'web', 4);
  await deploy(h, 'shop', 'api', 2, { app: 'web', tier: 'api', 'selfheal.io/enabled': 'true' });
  const first = await failTimes(h, 'web-http', 'shop', pods[0]!, 3);
  assert.equal(first.headers['ce-type'], EventType.healPerformed);
  const apiPod = h.sim.listPods('shop', { tier: 'api' })[0]!.metadata!.name!;
  const second = await failTimes(h, 'web-http', 'shop', apiPod, 3, 'api');
  assert.deepEqual([dataOf(second).reason, dataOf(second).action], ['budget-exhausted', 'restart']);
  assert.equal(h.evictions(), 1);
  h.clock.now = T0 + 11 * 60_000;
  const later = await h.send(result('web-http', 'http', podTarget('shop', apiPod, 'api'), 'failed', T0 + 11 * 60_000));
  assert.equal(later.headers['ce-type'], EventType.healPerformed);
  assert.equal(h.evictions(), 2);
});

test('when most of a workload fails at once, alert instead of restarting', async (t) => {
  const h = await startHarness(t);
  const pods = await deploy(h, 'shop', 'web', 3);
  // one pod of three failing: it alone is restarted
  await h.send(result('web-http', 'http', podTarget('shop', pods[1]!), 'passed', T0));
  const alone = await failTimes(h, 'web-http', 'shop', pods[0]!, 3);
  assert.deepEqual([dataOf(alone).action, dataOf(alone).reason], ['restart', 'threshold-reached']);
  assert.equal(h.evictions(), 1);

  // on another workload, two of three pods fail at once: a shared cause is likely
  const api = await deploy(h, 'shop', 'api', 3, { app: 'web', tier: 'api', 'selfheal.io/enabled': 'true' });
  await h.send(result('web-http', 'http', podTarget('shop', api[1]!, 'api'), 'failed', T0 + 1));
  const res = await failTimes(h, 'web-http', 'shop', api[0]!, 3, 'api');
  assert.deepEqual([res.headers['ce-type'], dataOf(res).action, dataOf(res).reason], [EventType.healPerformed, 'alert', 'shared-cause']);
  assert.equal(h.evictions(), 1);
  const alerts = h.sink.ofType<{ why: string }>(EventType.alert);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]!.data!.why, /2 of 3 pods are failing/);
});

test('cascade guard: while a dependency fails, its dependents are not restarted; an alert is raised instead', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const db = { namespace: 'shop', kind: 'Service' as const, name: 'db' };
  for (const i of [1, 2]) {
    await h.send(result('shop-deps', 'dependency', db, 'failed', T0 + i, { probe: { latencyMs: 1, readyEndpoints: 0, minReady: 1, error: 'no ready endpoints' } }));
  }
  assert.equal(h.sink.ofType(EventType.alert).length, 1, 'the dependency rule alerts about itself');
  const res = await failTimes(h, 'web-http', 'shop', pod!, 3);
  assert.deepEqual([dataOf(res).action, dataOf(res).reason], ['alert', 'dependency-failing']);
  assert.equal(h.evictions(), 0);

  // the dependency recovers: restarts are allowed again
  await h.send(result('shop-deps', 'dependency', db, 'passed', T0 + 100, { probe: { latencyMs: 1, readyEndpoints: 1, minReady: 1 } }));
  h.clock.now = T0 + 120_000;
  const after = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 120_000));
  assert.equal(dataOf(after).reason, 'escalated', 'the alert did not heal it; the ladder climbs from the alert');
});

test('dry run decides and records, and acts on nothing', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'dry', 2);
  const res = await h.send(result('dry-http', 'http', podTarget('shop', pod!, 'dry'), 'failed', T0));
  assert.deepEqual([res.headers['ce-type'], dataOf(res).reason, dataOf(res).action, dataOf(res).dryRun], [EventType.healSkipped, 'dry-run', 'restart', true]);
  assert.equal(h.evictions(), 0);
  const history = await h.client.xrange(`{${h.prefix}}:history:dry-http:shop:Pod:${pod}`, '-', '+');
  assert.deepEqual(history.map(([, f]) => f[f.indexOf('reason') + 1]), ['dry-run']);
});

test('global dry run', async (t) => {
  const h = await startHarness(t, { env: { DRY_RUN: 'true' } });
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const res = await failTimes(h, 'web-http', 'shop', pod!, 3);
  assert.equal(dataOf(res).reason, 'dry-run');
  assert.equal(h.evictions(), 0);
});
