// Scaling under an HPA, end to end (real Redis, the simulator): the HPA's minimum is raised instead of the scale
// subresource, restored once the unit is healed or after the hold, and an HPA that cannot give more is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGINAL_MIN } from '../../shared/actions/hpa.ts';
import { EventType } from '../../shared/events/types.ts';
import { RULES, T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

interface Hpa {
  metadata: { annotations?: Record<string, string> };
  spec: { minReplicas: number };
}

// The pods' loopback addresses may be anyone's on a shared machine: the restart here is not confirmed by a probe.
const NO_CONFIRM = RULES.replace('    dependsOn: [shop-deps]\n', '    dependsOn: [shop-deps]\n    confirm: false\n');
const hpa = (h: Harness) => h.sim.getHpa('shop', 'web') as Hpa;
const at = (h: Harness, ms: number) => (h.clock.now = T0 + ms);
const fail = (h: Harness, pod: string, ms: number) => h.send(result('web-http', 'http', podTarget('shop', pod), 'failed', T0 + ms));
const pass = (h: Harness, pod: string, ms: number) => h.send(result('web-http', 'http', podTarget('shop', pod), 'passed', T0 + ms));

/** Three failures restart the pod; the replacement fails on, and past the cooldown its failure escalates to scale. */
async function escalateToScale(h: Harness): Promise<{ replacement: string; scaled: Awaited<ReturnType<typeof fail>> }> {
  const [pod] = await deploy(h, 'shop', 'web', 2);
  for (const i of [1, 2, 3]) await fail(h, pod!, at(h, i * 1000) - T0);
  assert.equal(h.evictions(), 1);
  await h.sim.settle();
  const replacement = h.podsOf('shop', 'web').find((p) => p !== pod)!;
  for (const i of [4, 5, 6]) await fail(h, replacement, at(h, i * 1000) - T0);
  at(h, 70_000);
  return { replacement, scaled: await fail(h, replacement, 70_000) };
}

test('under an HPA, the scale rung raises minReplicas, and the unit judged healed puts the original back', async (t) => {
  const h = await startHarness(t, { rules: NO_CONFIRM });
  h.sim.createHpa({ namespace: 'shop', name: 'web', target: 'web', minReplicas: 2, maxReplicas: 6 });
  const { replacement, scaled } = await escalateToScale(h);
  assert.equal(scaled.headers['ce-type'], EventType.healPerformed);
  assert.deepEqual([dataOf(scaled).action, dataOf(scaled).reason], ['scale', 'escalated']);
  assert.match(String(dataOf(scaled).detail), /raised minReplicas of HPA shop\/web from 2 to 3/);
  assert.equal(hpa(h).spec.minReplicas, 3);
  assert.equal(hpa(h).metadata.annotations?.[ORIGINAL_MIN], '2');
  assert.ok(!h.sim.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web/scale')), 'the scale subresource is never written');

  at(h, 110_000);
  await pass(h, replacement, 105_000);
  const healed = await pass(h, replacement, 110_000);
  assert.equal(dataOf(healed).reason, 'healed');
  assert.deepEqual([hpa(h).spec.minReplicas, hpa(h).metadata.annotations], [2, undefined]);
});

test('a raise the unit is not healed by is held for three action cycles, then restored at the next judgement', async (t) => {
  const h = await startHarness(t, { rules: NO_CONFIRM });
  h.sim.createHpa({ namespace: 'shop', name: 'web', target: 'web', minReplicas: 2, maxReplicas: 6 });
  const { replacement } = await escalateToScale(h);
  // The scale did not heal: the alert rung, judged before the hold (3 × 60 s from 70 s) runs out.
  const alerted = await fail(h, replacement, at(h, 190_000) - T0);
  assert.deepEqual([dataOf(alerted).action, dataOf(alerted).reason], ['alert', 'escalated']);
  assert.equal(hpa(h).spec.minReplicas, 3, 'held');
  // The alert is judged too, after the hold: the raise goes.
  const again = await fail(h, replacement, at(h, 260_000) - T0);
  assert.deepEqual([dataOf(again).action, dataOf(again).reason], ['alert', 'escalated']);
  assert.deepEqual([hpa(h).spec.minReplicas, hpa(h).metadata.annotations], [2, undefined]);
});

test('an HPA at its maxReplicas: scale is skipped as hpa-at-max, and after the cooldown the next rung is taken', async (t) => {
  const h = await startHarness(t, { rules: NO_CONFIRM });
  h.sim.createHpa({ namespace: 'shop', name: 'web', target: 'web', minReplicas: 2, maxReplicas: 2 });
  const { replacement, scaled } = await escalateToScale(h);
  assert.equal(scaled.headers['ce-type'], EventType.healSkipped);
  assert.deepEqual([dataOf(scaled).action, dataOf(scaled).reason], ['scale', 'hpa-at-max']);
  assert.equal(await h.client.zcard(`{${h.prefix}}:budget:shop`), 1, 'only the restart counts against the budget');
  assert.equal(dataOf(await fail(h, replacement, at(h, 80_000) - T0)).reason, 'cooldown');
  const next = await fail(h, replacement, at(h, 131_000) - T0);
  assert.deepEqual([dataOf(next).action, dataOf(next).reason], ['alert', 'threshold-reached']);
  assert.equal(hpa(h).spec.minReplicas, 2);
});
