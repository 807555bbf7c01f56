// rollout-restart end to end (real Redis, the simulator): as a rung of the ladder, as what a shared cause becomes when
// the rule says so, confirmed by the healer's own probe first, and as the way past a PDB for a single-replica workload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTARTED_AT } from '../../shared/actions/rollout-restart.ts';
import { startDemoApp } from '../../shared/dev/targets/index.ts';
import { EventType } from '../../shared/events/types.ts';
import { OPT_IN, T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

// confirm is off unless a test is about it: the pods' loopback addresses may be anyone's on a shared machine.
const rules = (fields: string) => `
rules:
  - name: web-http
    kind: http
    namespace: shop
    labelSelector: app=web
    port: 8080
    path: /health
    failureThreshold: 3
    successThreshold: 2
    cooldown: 60s
    verifyWindow: 30s
    timeoutMs: 500
${fields
  .trim()
  .split('\n')
  .map((l) => `    ${l.trim()}`)
  .join('\n')}
`;

const fail = (h: Harness, pod: string, ms: number, workload = 'web') => {
  h.clock.now = T0 + ms;
  return h.send(result('web-http', 'http', podTarget('shop', pod, workload), 'failed', T0 + ms));
};
const restartedAt = (h: Harness, name = 'web') =>
  (h.sim.getDeployment('shop', name) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template.metadata.annotations?.[RESTARTED_AT];
const rolloutPatches = (h: Harness) => h.sim.requests.filter((r) => r.method === 'PATCH' && /\/deployments\/[^/]+$/.test(r.path)).length;

test('as a rung of the ladder: the Deployment is restarted, every pod replaced, and passes after the window count it healed', async (t) => {
  const h = await startHarness(t, { rules: rules('actions: [rollout-restart, alert]\nconfirm: false') });
  const pods = await deploy(h, 'shop', 'web', 2);
  let answer;
  for (const i of [1, 2, 3]) answer = await fail(h, pods[0]!, i * 1000);
  assert.equal(answer!.headers['ce-type'], EventType.healPerformed, answer!.text);
  assert.deepEqual([dataOf(answer!).action, dataOf(answer!).reason], ['rollout-restart', 'threshold-reached']);
  assert.equal(restartedAt(h), '2026-11-23T12:00:03Z');
  assert.equal(h.evictions(), 0);
  await h.sim.settle();
  const now = h.podsOf('shop', 'web');
  assert.equal(now.length, 2);
  assert.ok(now.every((p) => !pods.includes(p)), 'every pod replaced by the rollout');

  // The rollout replaced the failing pod, not by its hand (replacesPod is false): its last failure stops counting
  // once it is older than the verification window and the cooldown, as for any target that stopped reporting.
  h.clock.now = T0 + 40_000;
  assert.equal((await h.send(result('web-http', 'http', podTarget('shop', now[0]!), 'passed', T0 + 35_000))).status, 202);
  assert.equal((await h.send(result('web-http', 'http', podTarget('shop', now[0]!), 'passed', T0 + 40_000))).status, 202, 'the old pod still counts');
  h.clock.now = T0 + 95_000;
  const healed = await h.send(result('web-http', 'http', podTarget('shop', now[0]!), 'passed', T0 + 95_000));
  assert.equal(dataOf(healed).reason, 'healed');
  const stats = await h.client.hgetall(`{${h.prefix}}:stats:web-http`);
  assert.deepEqual([stats['rollout-restart:performed'], stats['rollout-restart:healed']], ['1', '1']);
});

test('sharedCause: rollout-restart — most of a workload failing restarts its rollout instead of alerting', async (t) => {
  const h = await startHarness(t, { rules: rules('actions: [restart, alert]\nsharedCause: rollout-restart\nconfirm: false') });
  const pods = await deploy(h, 'shop', 'web', 3);
  await fail(h, pods[1]!, 500);
  let answer;
  for (const i of [1, 2, 3]) answer = await fail(h, pods[0]!, i * 1000);
  assert.equal(answer!.headers['ce-type'], EventType.healPerformed, answer!.text);
  assert.deepEqual([dataOf(answer!).action, dataOf(answer!).reason], ['rollout-restart', 'shared-cause']);
  assert.match(String(dataOf(answer!).detail), /restarted the rollout of deployment shop\/web/);
  assert.equal(h.evictions(), 0, 'no pod restarted one by one');
  assert.equal(h.sink.ofType(EventType.alert).length, 0);
  assert.equal(await h.client.zcard(`{${h.prefix}}:budget:shop`), 1, 'the rollout counts against the budget');
});

test('by default a shared cause still alerts', async (t) => {
  const h = await startHarness(t, { rules: rules('actions: [restart, alert]\nconfirm: false') });
  const pods = await deploy(h, 'shop', 'web', 3);
  await fail(h, pods[1]!, 500);
  let answer;
  for (const i of [1, 2, 3]) answer = await fail(h, pods[0]!, i * 1000);
  assert.deepEqual([dataOf(answer!).action, dataOf(answer!).reason], ['alert', 'shared-cause']);
  assert.equal(rolloutPatches(h), 0);
});

test('confirmed first: a pod that answers the rule\'s own probe now is not rolled', async (t) => {
  const h = await startHarness(t, { rules: rules('actions: [rollout-restart]\nconfirm: true') });
  const [pod] = await deploy(h, 'shop', 'web', 2, { app: 'web', ...OPT_IN });
  const app = await startDemoApp({ host: h.sim.getPod('shop', pod!)!.status.podIP!, port: 8080 });
  t.after(() => app.close());
  let answer;
  for (const i of [1, 2, 3]) answer = await fail(h, pod!, i * 1000);
  assert.deepEqual([dataOf(answer!).action, dataOf(answer!).reason], ['rollout-restart', 'confirmed-healthy']);
  assert.equal(rolloutPatches(h), 0);
});

test('a single-replica workload behind minAvailable: 1 — the restart is done by a rollout restart, never a delete', async (t) => {
  const h = await startHarness(t, { rules: rules('actions: [restart, alert]\nconfirm: false') });
  const [pod] = await deploy(h, 'shop', 'web', 1);
  h.sim.createPdb({ namespace: 'shop', name: 'web', selector: { app: 'web' }, minAvailable: 1 });
  let answer;
  for (const i of [1, 2, 3]) answer = await fail(h, pod!, i * 1000);
  assert.equal(answer!.headers['ce-type'], EventType.healPerformed, answer!.text);
  assert.deepEqual([dataOf(answer!).action, dataOf(answer!).reason], ['restart', 'threshold-reached']);
  assert.match(String(dataOf(answer!).detail), /the only pod of deployment shop\/web: restarted the rollout/);
  assert.equal(h.sim.requests.filter((r) => r.path.endsWith('/eviction') && r.status === 429).length, 1);
  assert.equal(h.sim.requests.filter((r) => r.method === 'DELETE').length, 0);
  await h.sim.settle();
  assert.deepEqual(h.podsOf('shop', 'web').filter((p) => p === pod), [], 'replaced by the rollout');
});
