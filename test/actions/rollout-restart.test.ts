// rollout-restart, with the real client against the simulator: kubectl rollout restart's patch, refused when paused,
// put off while a rollout is under way, and resolved by reading the cluster when no answer came.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionContext, ActionRequest } from '../../shared/actions/action.ts';
import { actionSpec } from '../../shared/actions/catalog.ts';
import { RESTARTED_AT } from '../../shared/actions/rollout-restart.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import type { KubeSimulator, PodRuntime } from '../../shared/dev/kube-sim/index.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { k8s } from '../../shared/kubernetes/client.ts';

const NOW = Date.parse('2026-11-23T12:00:00.250Z');
const TIMEOUT_MS = 300;

async function cluster(t: TestContext, runtime: PodRuntime = {}) {
  const sim = await startKubeSimulator({ runtime });
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 2, podLabels: { app: 'web' }, containers: [{ name: 'app', ports: [8080] }] });
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: TIMEOUT_MS });
  const ctx: ActionContext = { kube: async () => kube, alerts: { timeoutMs: 1_000 }, now: () => NOW };
  const pods = async () => (await kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items;
  const template = () => (sim.getDeployment('shop', 'web') as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template.metadata;
  return { sim, kube, ctx, pods, template };
}

const request = (pod: k8s.V1Pod): ActionRequest => ({
  rule: { name: 'web-http', kind: 'http', namespace: 'shop' },
  target: { namespace: 'shop', kind: 'Pod', name: pod.metadata!.name! },
  pod,
  why: 'test',
});

const patches = (sim: KubeSimulator) => sim.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web'));

test('rollout-restart sets the template restartedAt (RFC 3339, strategic merge); a new ReplicaSet replaces every pod', async (t) => {
  const { sim, ctx, pods, template } = await cluster(t);
  const before = (await pods()).map((p) => p.metadata!.name!);
  const outcome = await actionSpec('rollout-restart').perform(ctx, request((await pods())[0]!));
  assert.deepEqual(outcome, { kind: 'performed', detail: 'restarted the rollout of deployment shop/web (restartedAt 2026-11-23T12:00:00Z)', regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' } });
  assert.equal(template().annotations?.[RESTARTED_AT], '2026-11-23T12:00:00Z');
  assert.equal(patches(sim)[0]?.contentType, 'application/strategic-merge-patch+json');
  await sim.settle();
  const after = (await pods()).map((p) => p.metadata!.name!);
  assert.equal(after.length, 2);
  assert.ok(after.every((p) => !before.includes(p)), `${after.join(', ')} vs ${before.join(', ')}`);
});

test('a paused Deployment is declined as deployment-paused; nothing is written', async (t) => {
  const { sim, kube, ctx, pods } = await cluster(t);
  await kube.apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { paused: true } } }, kube.options('merge'));
  const outcome = await actionSpec('rollout-restart').perform(ctx, request((await pods())[0]!));
  assert.deepEqual(outcome, { kind: 'declined', reason: 'deployment-paused', detail: 'deployment shop/web is paused: a rollout restart would not roll out', regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' } });
  assert.equal(patches(sim).length, 1, 'only the pause itself');
});

test('while a rollout is under way (updatedReplicas short of replicas), rollout-restart is deferred as rollout-in-progress', async (t) => {
  let hold: Promise<void> | undefined;
  let release = () => {};
  const { sim, kube, ctx, pods } = await cluster(t, { podStarted: () => hold });
  const pod = (await pods())[0]!;
  hold = new Promise((resolve) => (release = resolve));
  try {
    await kube.apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { template: { metadata: { annotations: { deployed: 'v2' } } } } } }, kube.options('strategic'));
    const outcome = await actionSpec('rollout-restart').perform(ctx, request(pod));
    assert.equal(outcome.kind, 'deferred');
    assert.equal(outcome.kind === 'deferred' && outcome.reason, 'rollout-in-progress');
    assert.match(outcome.detail, /deployment shop\/web is rolling out \(0 of 2 replicas updated\)/);
  } finally {
    // Pods left starting for ever would hold the simulator's close.
    release();
  }
  await sim.settle();
  const later = await actionSpec('rollout-restart').perform(ctx, request(pod));
  assert.equal(later.kind, 'performed', later.detail);
});

test('a patch whose answer never came, but which was served, is performed: the template says so', async (t) => {
  const { sim, ctx, pods, template } = await cluster(t);
  sim.inject('PATCH', /\/deployments\/web$/, { kind: 'slow', delayMs: TIMEOUT_MS * 3 }, 1);
  const outcome = await actionSpec('rollout-restart').perform(ctx, request((await pods())[0]!));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /no answer came, but deployment shop\/web has restartedAt 2026-11-23T12:00:00Z/);
  assert.equal(template().annotations?.[RESTARTED_AT], '2026-11-23T12:00:00Z');
});

test('a concurrent write to the Deployment between read and write is re-read, never overwritten', async (t) => {
  const { sim, kube, ctx, pods, template } = await cluster(t);
  sim.inject('PATCH', /\/deployments\/web$/, {
    kind: 'race',
    write: () => kube.apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { metadata: { labels: { team: 'shop' } } } }, kube.options('merge')),
  }, 1);
  const outcome = await actionSpec('rollout-restart').perform(ctx, request((await pods())[0]!));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.deepEqual(patches(sim).map((r) => r.status), [409, 200, 200]);
  assert.equal(template().annotations?.[RESTARTED_AT], '2026-11-23T12:00:00Z');
});

test('wasDone: a pod replaced, or made before the restartedAt its Deployment now has, is done; otherwise not', async (t) => {
  const { kube, ctx, pods } = await cluster(t);
  const pod = (await pods())[0]!;
  const on = { namespace: 'shop', pod: pod.metadata!.name!, uid: pod.metadata!.uid! };
  const spec = actionSpec('rollout-restart');
  assert.equal((await spec.wasDone!(ctx, on)).done, false);
  // Paused, the restart is on the template while the pod still runs: it was issued after the pod was made.
  await kube.apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { paused: true, template: { metadata: { annotations: { [RESTARTED_AT]: 'x' } } } } } }, kube.options('strategic'));
  assert.deepEqual(await spec.wasDone!(ctx, on), { done: true, detail: `deployment shop/web was restarted after pod shop/${on.pod} was made (restartedAt x)` });
  await kube.apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { paused: null } } }, kube.options('merge'));
  assert.equal((await spec.wasDone!(ctx, on)).done, true, 'rolled out: the pod is gone');
});

test('rollout-restart of a pod without a Deployment fails for good', async (t) => {
  const { ctx, pods } = await cluster(t);
  const pod = (await pods())[0]!;
  const orphan = { ...pod, metadata: { ...pod.metadata, ownerReferences: [] } };
  const outcome = await actionSpec('rollout-restart').perform(ctx, request(orphan));
  assert.deepEqual([outcome.kind, outcome.kind === 'failed' && outcome.transient], ['failed', false]);
  assert.match(outcome.detail, /has no owning ReplicaSet/);
});
