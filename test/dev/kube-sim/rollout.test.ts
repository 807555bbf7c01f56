// Rollouts through the real client: a template change (kubectl rollout restart's patch) replaces the pods through a new
// ReplicaSet; a paused Deployment holds it; a rollout whose new pods are still starting shows in the status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeSimulator } from '../../../shared/dev/kube-sim/index.ts';
import { startFixture } from './fixture.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const restartedAt = (at: string) => ({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } });

test('a paused Deployment takes a template change without rolling it out; resumed, it rolls out', async (t) => {
  const { sim, apps } = await startFixture(t);
  const before = sim.listPods('shop').map((p) => p.metadata.name).sort();
  await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { paused: true } } }, merge);
  const patched = await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: restartedAt('2026-01-01T00:00:00Z') }, strategic);
  assert.equal(patched.spec?.paused, true);
  await sim.settle();
  assert.deepEqual(sim.listPods('shop').map((p) => p.metadata.name).sort(), before, 'no pod replaced while paused');
  assert.equal((await apps.listNamespacedReplicaSet({ namespace: 'shop' })).items.length, 1);

  await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { paused: null } } }, merge);
  await sim.settle();
  const after = sim.listPods('shop');
  assert.equal(after.length, 3);
  assert.ok(after.every((p) => !before.includes(p.metadata.name)), 'every pod replaced once resumed');
  assert.ok(after.every((p) => p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] === '2026-01-01T00:00:00Z'));
});

test('while the new pods of a rollout are still starting, updatedReplicas is short of replicas', async (t) => {
  let hold: Promise<void> | undefined;
  let release = () => {};
  const sim = await startKubeSimulator({ runtime: { podStarted: () => hold } });
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 2, podLabels: { app: 'web' } });
  const apps = sim.kubeConfig().makeApiClient(AppsV1Api);
  hold = new Promise((resolve) => (release = resolve));
  try {
    await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: restartedAt('2026-01-01T00:00:00Z') }, strategic);
    const rolling = await apps.readNamespacedDeployment({ namespace: 'shop', name: 'web' });
    assert.equal(rolling.status?.observedGeneration, rolling.metadata?.generation);
    assert.ok((rolling.status?.updatedReplicas ?? 0) < 2, `updatedReplicas ${rolling.status?.updatedReplicas}`);
  } finally {
    // Pods left starting for ever would hold the simulator's close.
    release();
  }
  await sim.settle();
  const done = await apps.readNamespacedDeployment({ namespace: 'shop', name: 'web' });
  assert.deepEqual([done.status?.updatedReplicas, done.status?.replicas, done.status?.availableReplicas], [2, 2, 2]);
});
