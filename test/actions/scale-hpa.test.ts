// scale under a HorizontalPodAutoscaler, with the real client against the simulator: the HPA's minReplicas is raised
// (never the scale subresource), the original is kept on the HPA, and restored once healed or after the hold.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionContext, ActionRequest } from '../../shared/actions/action.ts';
import { actionSpec } from '../../shared/actions/catalog.ts';
import { HOLD_CYCLES, ORIGINAL_MIN, RAISED_MIN, RESTORE_AFTER, restoreMinReplicas } from '../../shared/actions/hpa.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import type { HpaSpec, KubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { k8s } from '../../shared/kubernetes/client.ts';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const COOLDOWN = 60_000;
const VERIFY = 30_000;

interface Hpa {
  metadata: { annotations?: Record<string, string>; resourceVersion: string };
  spec: { minReplicas: number; maxReplicas: number };
}

async function cluster(t: TestContext, hpa?: Omit<HpaSpec, 'namespace' | 'name' | 'target'>) {
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 2, podLabels: { app: 'web' }, containers: [{ name: 'app', ports: [8080] }] });
  if (hpa) sim.createHpa({ namespace: 'shop', name: 'web', target: 'web', ...hpa });
  await sim.settle();
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: 2_000 });
  const ctx: ActionContext = { kube: async () => kube, alerts: { timeoutMs: 1_000 }, now: () => NOW };
  const pod = (await kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items[0]!;
  const read = () => sim.getHpa('shop', 'web') as Hpa;
  return { sim, kube, ctx, pod, read };
}

const request = (pod: k8s.V1Pod, scale = { step: 1, max: 4 }): ActionRequest => ({
  rule: { name: 'web-http', kind: 'http', namespace: 'shop', scale, cooldown: COOLDOWN, verifyWindow: VERIFY },
  target: { namespace: 'shop', kind: 'Pod', name: pod.metadata!.name! },
  pod,
  why: 'test',
});

const scaleWrites = (sim: KubeSimulator) => sim.requests.filter((r) => r.method !== 'GET' && r.path.endsWith('/deployments/web/scale')).length;

test('under an HPA, scale raises its minReplicas, never writes the scale subresource, and keeps the original on the HPA', async (t) => {
  const { sim, ctx, pod, read } = await cluster(t, { minReplicas: 2, maxReplicas: 6 });
  const outcome = await actionSpec('scale').perform(ctx, request(pod));
  assert.deepEqual({ ...outcome, regarding: undefined }, { kind: 'performed', detail: 'raised minReplicas of HPA shop/web from 2 to 3 (it scales deployment shop/web; 2 restored once healed)', regarding: undefined });
  assert.deepEqual([outcome.regarding?.kind, outcome.regarding?.name, Boolean(outcome.regarding?.uid)], ['HorizontalPodAutoscaler', 'web', true]);
  const hpa = read();
  assert.equal(hpa.spec.minReplicas, 3);
  assert.deepEqual(hpa.metadata.annotations, {
    [ORIGINAL_MIN]: '2',
    [RAISED_MIN]: '3',
    [RESTORE_AFTER]: new Date(NOW + HOLD_CYCLES * COOLDOWN).toISOString(),
  });
  assert.equal(scaleWrites(sim), 0);
  const patch = sim.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/horizontalpodautoscalers/web'));
  assert.equal(patch?.contentType, 'application/merge-patch+json');
  await sim.settle();
  assert.equal(sim.listPods('shop', { app: 'web' }).length, 3, 'the HPA holds the Deployment at its new minimum');

  // Raised again: the original stays the first one; at the rule's max, nothing more to raise.
  const again = await actionSpec('scale').perform(ctx, request(pod));
  assert.match(again.detail, /from 3 to 4/);
  assert.equal(read().metadata.annotations?.[ORIGINAL_MIN], '2');
  const atMax = await actionSpec('scale').perform(ctx, request(pod));
  assert.deepEqual({ ...atMax, regarding: undefined }, { kind: 'performed', detail: 'HPA shop/web already keeps 4 replicas (rule max 4)', regarding: undefined });
  assert.equal(atMax.regarding?.kind, 'HorizontalPodAutoscaler');
  assert.equal(scaleWrites(sim), 0);
});

test('under an HPA already at its maxReplicas, or owned by a KEDA ScaledObject, scale declines with a reason of its own', async (t) => {
  const rows: Array<[string, Omit<HpaSpec, 'namespace' | 'name' | 'target'>, string, RegExp]> = [
    ['at max', { minReplicas: 2, maxReplicas: 2 }, 'hpa-at-max', /HPA shop\/web is at its maxReplicas \(2\)/],
    ['KEDA', { minReplicas: 1, maxReplicas: 6, ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'web' }] }, 'hpa-owned-by-keda', /ScaledObject web/],
  ];
  for (const [name, hpa, reason, detail] of rows) {
    await t.test(name, async (tt) => {
      const { sim, ctx, pod } = await cluster(tt, hpa);
      const outcome = await actionSpec('scale').perform(ctx, request(pod));
      assert.equal(outcome.kind, 'declined');
      assert.equal(outcome.kind === 'declined' && outcome.reason, reason);
      assert.match(outcome.detail, detail);
      assert.equal(sim.requests.filter((r) => r.method === 'PATCH').length, 0, 'nothing written');
    });
  }
});

test('a concurrent write to the HPA between read and write is re-read, never overwritten', async (t) => {
  const { sim, kube, ctx, pod, read } = await cluster(t, { minReplicas: 2, maxReplicas: 6 });
  sim.inject('PATCH', /\/horizontalpodautoscalers\/web$/, {
    kind: 'race',
    write: () => kube.autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web', body: { metadata: { labels: { team: 'shop' } } } }, kube.options('merge')),
  }, 1);
  const outcome = await actionSpec('scale').perform(ctx, request(pod));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.deepEqual(
    sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.status),
    [409, 200, 200],
    'ours (logged first, refused on the stale resourceVersion), the other write it met, ours again',
  );
  assert.equal(read().spec.minReplicas, 3);
});

test('restore: healed puts the original back and drops the annotations; not healed waits for restore-after', async (t) => {
  const { ctx, kube, pod, read } = await cluster(t, { minReplicas: 2, maxReplicas: 6 });
  await actionSpec('scale').perform(ctx, request(pod));
  const restoreAfter = NOW + HOLD_CYCLES * COOLDOWN;
  assert.equal(await restoreMinReplicas(kube, 'shop', 'web', { healed: false, now: restoreAfter - 1 }), undefined);
  assert.equal(read().spec.minReplicas, 3);
  assert.equal(await restoreMinReplicas(kube, 'shop', 'web', { healed: true, now: NOW + 1 }), 'restored minReplicas of HPA shop/web from 3 to 2');
  assert.deepEqual([read().spec.minReplicas, read().metadata.annotations], [2, undefined]);
  assert.equal(await restoreMinReplicas(kube, 'shop', 'web', { healed: true, now: NOW + 2 }), undefined, 'nothing left to restore');

  await actionSpec('scale').perform(ctx, request(pod));
  assert.match((await restoreMinReplicas(kube, 'shop', 'web', { healed: false, now: restoreAfter }))!, /from 4 to 2/, 'raised from the 3 replicas the HPA held, restored to the original');
});

test('restore leaves a minReplicas changed by hand since the raise, and only drops the annotations', async (t) => {
  const { ctx, kube, pod, read } = await cluster(t, { minReplicas: 2, maxReplicas: 6 });
  await actionSpec('scale').perform(ctx, request(pod));
  await kube.autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web', body: { spec: { minReplicas: 5 } } }, kube.options('merge'));
  const detail = await restoreMinReplicas(kube, 'shop', 'web', { healed: true, now: NOW + 1 });
  assert.equal(detail, 'HPA shop/web minReplicas was changed to 5 since it was raised to 3: left as it is');
  assert.deepEqual([read().spec.minReplicas, read().metadata.annotations], [5, undefined]);
});

test('without an HPA, scale writes the scale subresource as before', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const outcome = await actionSpec('scale').perform(ctx, request(pod));
  assert.deepEqual(outcome, { kind: 'performed', detail: 'scaled deployment shop/web from 2 to 3 replicas', regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' } });
  assert.equal(scaleWrites(sim), 1);
  assert.ok(sim.requests.some((r) => r.method === 'GET' && r.path.endsWith('/namespaces/shop/horizontalpodautoscalers')), 'the HPAs were looked at first');
});
