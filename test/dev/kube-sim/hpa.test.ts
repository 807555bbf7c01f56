// HorizontalPodAutoscalers (autoscaling/v2) through the real client: get/list/patch, conflicts, validation, bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AutoscalingV2Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { rejection, startFixture } from './fixture.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

async function withHpa(t: Parameters<typeof startFixture>[0], minReplicas: number, maxReplicas: number) {
  const fx = await startFixture(t);
  fx.sim.createHpa({ namespace: 'shop', name: 'web', target: 'web', minReplicas, maxReplicas });
  await fx.sim.settle();
  return { ...fx, hpa: fx.kc.makeApiClient(AutoscalingV2Api) };
}

test('an HPA made through the simulator reads and lists through autoscaling/v2, and holds its Deployment within its bounds', async (t) => {
  const { sim, hpa, apps } = await withHpa(t, 4, 6);
  const read = await hpa.readNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web' });
  assert.equal(read.apiVersion, 'autoscaling/v2');
  assert.deepEqual({ ...read.spec?.scaleTargetRef }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
  assert.deepEqual([read.spec?.minReplicas, read.spec?.maxReplicas], [4, 6]);
  // The Deployment had 3 replicas: below the HPA's minimum, the HPA controller raises it.
  assert.equal((await apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' })).spec?.replicas, 4);
  assert.equal(sim.listPods('shop').length, 4);
  assert.deepEqual([read.status?.currentReplicas, read.status?.desiredReplicas], [4, 4]);
  const list = await hpa.listNamespacedHorizontalPodAutoscaler({ namespace: 'shop' });
  assert.deepEqual(list.items.map((h) => h.metadata?.name), ['web']);
  assert.deepEqual((await hpa.listNamespacedHorizontalPodAutoscaler({ namespace: 'other' })).items, []);
});

test('merge and strategic merge patches change minReplicas and annotations; a stale resourceVersion is 409 Conflict', async (t) => {
  const { hpa, apps } = await withHpa(t, 2, 6);
  const before = await hpa.readNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web' });
  const rv = before.metadata!.resourceVersion!;
  const raised = await hpa.patchNamespacedHorizontalPodAutoscaler(
    { namespace: 'shop', name: 'web', body: { metadata: { resourceVersion: rv, annotations: { 'selfheal.io/x': '2' } }, spec: { minReplicas: 5 } } },
    merge,
  );
  assert.equal(raised.spec?.minReplicas, 5);
  assert.equal(raised.metadata?.annotations?.['selfheal.io/x'], '2');
  assert.equal(raised.metadata?.generation, 2);
  assert.equal((await apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' })).spec?.replicas, 5);
  const stale = await rejection(
    hpa.patchNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web', body: { metadata: { resourceVersion: rv }, spec: { minReplicas: 3 } } }, merge),
  );
  assert.equal(stale.code, 409);
  assert.equal(stale.body['reason'], 'Conflict');
  assert.match(String(stale.body['message']), /^Operation cannot be fulfilled on horizontalpodautoscalers\.autoscaling "web": the object has been modified/);
  const lowered = await hpa.patchNamespacedHorizontalPodAutoscaler(
    { namespace: 'shop', name: 'web', body: { metadata: { annotations: { 'selfheal.io/x': null } }, spec: { minReplicas: 2 } } },
    strategic,
  );
  assert.equal(lowered.spec?.minReplicas, 2);
  assert.equal(lowered.metadata?.annotations, undefined);
});

test('minReplicas below 1 or above maxReplicas is 422 Invalid, field by field', async (t) => {
  const { hpa } = await withHpa(t, 2, 6);
  const rows: Array<[string, Record<string, number>, string, RegExp]> = [
    ['zero', { minReplicas: 0 }, 'spec.minReplicas', /Invalid value: 0: must be greater than or equal to 1/],
    ['above max', { minReplicas: 7 }, 'spec.maxReplicas', /Invalid value: 6: must be greater than or equal to `minReplicas`/],
  ];
  for (const [name, spec, field, message] of rows) {
    await t.test(name, async () => {
      const refused = await rejection(hpa.patchNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web', body: { spec } }, merge));
      assert.equal(refused.code, 422);
      assert.match(String(refused.body['message']), /^HorizontalPodAutoscaler\.autoscaling "web" is invalid: /);
      const causes = (refused.body['details'] as { causes: Array<{ field: string; message: string }> }).causes;
      assert.equal(causes[0]!.field, field);
      assert.match(causes[0]!.message, message);
    });
  }
  assert.equal((await hpa.readNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'web' })).spec?.minReplicas, 2);
});

test('an HPA owned by a KEDA ScaledObject carries its ownerReference; a missing HPA is 404', async (t) => {
  const { sim, kc } = await startFixture(t);
  sim.createHpa({ namespace: 'shop', name: 'keda-hpa-web', target: 'web', minReplicas: 1, maxReplicas: 5, ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'web' }] });
  const hpa = kc.makeApiClient(AutoscalingV2Api);
  const read = await hpa.readNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'keda-hpa-web' });
  assert.deepEqual(read.metadata?.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.controller]), [['keda.sh/v1alpha1', 'ScaledObject', 'web', true]]);
  const missing = await rejection(hpa.readNamespacedHorizontalPodAutoscaler({ namespace: 'shop', name: 'nope' }));
  assert.equal(missing.code, 404);
  assert.deepEqual(missing.body['details'], { name: 'nope', group: 'autoscaling', kind: 'horizontalpodautoscalers' });
});
