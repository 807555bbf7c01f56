// Deployment scaling through the real client: scale subresource (get/replace/patch), deployment patches, patch errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { rejection, startFixture } from './fixture.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

test('reads the Scale of a deployment', async (t) => {
  const { apps } = await startFixture(t);
  const scale = await apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' });
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.equal(scale.spec?.replicas, 3);
  assert.equal(scale.status?.replicas, 3);
  assert.equal(scale.status?.selector, 'app=web,tier=frontend');
});

test('merge patch on the scale subresource scales up and down', async (t) => {
  const { sim, apps, stopped } = await startFixture(t);
  const up = await apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 5 } } }, merge);
  assert.equal(up.spec?.replicas, 5);
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 5);
  const record = sim.requests.at(-1);
  assert.equal(record?.method, 'PATCH');
  assert.equal(record?.contentType, 'application/merge-patch+json');
  assert.equal(record?.path, '/apis/apps/v1/namespaces/shop/deployments/web/scale');
  await apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 3 } } }, merge);
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 3);
  assert.equal(stopped.length, 2);
  const d = sim.getDeployment('shop', 'web') as { spec: { replicas: number }; status: { replicas: number } };
  assert.equal(d.spec.replicas, 3);
  assert.equal(d.status.replicas, 3);
});

test('scale-down removes the most recently created pods', async (t) => {
  const { sim, apps, started, stopped } = await startFixture(t, { replicas: 2 });
  await apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 4 } } }, merge);
  await sim.settle();
  const lateComers = started.slice(2).map((p) => p.metadata.name).sort();
  await apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 2 } } }, merge);
  await sim.settle();
  assert.deepEqual(stopped.map((p) => p.metadata.name).sort(), lateComers);
});

test('JSON patch (replace, test) and strategic merge patch scale the deployment', async (t) => {
  const { sim, apps } = await startFixture(t);
  await apps.patchNamespacedDeploymentScale(
    {
      namespace: 'shop',
      name: 'web',
      body: [
        { op: 'test', path: '/spec/replicas', value: 3 },
        { op: 'replace', path: '/spec/replicas', value: 1 },
      ],
    },
    jsonPatch,
  );
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 1);
  await apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 2 } } }, strategic);
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 2);
  // The client's default patch content type is JSON patch.
  await apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: [{ op: 'add', path: '/spec/replicas', value: 4 }] });
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 4);
});

test('replace (PUT) of the Scale, with resourceVersion conflicts and validation', async (t) => {
  const { sim, apps } = await startFixture(t);
  const scale = await apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' });
  const replaced = await apps.replaceNamespacedDeploymentScale({
    namespace: 'shop',
    name: 'web',
    body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'shop', resourceVersion: scale.metadata?.resourceVersion ?? '' }, spec: { replicas: 2 } },
  });
  assert.equal(replaced.spec?.replicas, 2);
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 2);
  const stale = await rejection(
    apps.replaceNamespacedDeploymentScale({
      namespace: 'shop',
      name: 'web',
      body: { metadata: { name: 'web', resourceVersion: scale.metadata?.resourceVersion ?? '' }, spec: { replicas: 5 } },
    }),
  );
  assert.equal(stale.code, 409);
  assert.equal(stale.body['reason'], 'Conflict');
  assert.match(String(stale.body['message']), /^Operation cannot be fulfilled on deployments\.apps "web": the object has been modified/);
  const negative = await rejection(
    apps.replaceNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { metadata: { name: 'web' }, spec: { replicas: -1 } } }),
  );
  assert.equal(negative.code, 422);
  assert.equal(negative.body['message'], 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  const wrongName = await rejection(
    apps.replaceNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { metadata: { name: 'api' }, spec: { replicas: 1 } } }),
  );
  assert.equal(wrongName.code, 400);
});

test('a patch body that does not fit its content type fails as kube-apiserver does', async (t) => {
  const { sim, apps } = await startFixture(t);
  const objectAsJsonPatch = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 1 } } }, jsonPatch),
  );
  assert.equal(objectAsJsonPatch.code, 400);
  assert.equal(objectAsJsonPatch.body['reason'], 'BadRequest');
  assert.equal(objectAsJsonPatch.body['message'], 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');

  const arrayAsMerge = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] }, merge),
  );
  assert.equal(arrayAsMerge.code, 422);
  assert.equal(arrayAsMerge.body['reason'], 'Invalid');
  assert.match(String(arrayAsMerge.body['message']), /is invalid: patch: Invalid value: .*couldn't get version\/kind; json parse error: json: cannot unmarshal array/);

  const arrayAsStrategic = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] }, strategic),
  );
  assert.equal(arrayAsStrategic.code, 400);
  assert.equal(arrayAsStrategic.body['message'], 'json: cannot unmarshal array into Go value of type map[string]interface {}');

  const failedTest = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: [{ op: 'test', path: '/spec/replicas', value: 7 }] }, jsonPatch),
  );
  assert.equal(failedTest.code, 422);
  assert.equal(failedTest.body['message'], 'the server rejected our request due to an error in our request');

  const unsupported = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 1 } } }, setHeaderOptions('Content-Type', 'application/json')),
  );
  assert.equal(unsupported.code, 415);
  assert.equal(unsupported.body['reason'], 'UnsupportedMediaType');
  assert.match(String(unsupported.body['message']), /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);

  const wrongType = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 'two' } } }, merge),
  );
  assert.equal(wrongType.code, 422);

  const missing = await rejection(apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'nope', body: { spec: { replicas: 1 } } }, merge));
  assert.equal(missing.code, 404);
  assert.deepEqual(missing.body['details'], { name: 'nope', group: 'apps', kind: 'deployments' });

  await sim.settle();
  assert.equal(sim.listPods('shop').length, 3, 'no failed patch changed anything');
});

test('patching the deployment itself changes spec.replicas with all three patch types', async (t) => {
  const { sim, apps } = await startFixture(t);
  const before = await apps.readNamespacedDeployment({ namespace: 'shop', name: 'web' });
  const patched = await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { replicas: 1 } } }, merge);
  assert.equal(patched.spec?.replicas, 1);
  assert.ok((patched.metadata?.generation ?? 0) > (before.metadata?.generation ?? 0));
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 1);
  await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { replicas: 2 } } }, strategic);
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 2);
  await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }, jsonPatch);
  await sim.settle();
  assert.equal(sim.listPods('shop').length, 3);
  const d = await apps.readNamespacedDeployment({ namespace: 'shop', name: 'web' });
  assert.equal(d.status?.replicas, 3);
  assert.equal(d.status?.readyReplicas, 3);
  const immutable = await rejection(
    apps.patchNamespacedDeployment({ namespace: 'shop', name: 'web', body: { spec: { selector: { matchLabels: { app: 'other' } } } } }, merge),
  );
  assert.equal(immutable.code, 422);
  assert.match(String(immutable.body['message']), /^Deployment\.apps "web" is invalid: .*spec\.selector: Invalid value: .*field is immutable/);
});

test('a template change rolls out a new ReplicaSet (instantly) and keeps the replica count', async (t) => {
  const { sim, apps } = await startFixture(t);
  const oldHash = sim.listPods('shop')[0]?.metadata.labels?.['pod-template-hash'];
  await apps.patchNamespacedDeployment(
    {
      namespace: 'shop',
      name: 'web',
      body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } },
    },
    strategic,
  );
  await sim.settle();
  const pods = sim.listPods('shop');
  assert.equal(pods.length, 3);
  assert.ok(pods.every((p) => p.metadata.labels?.['pod-template-hash'] !== oldHash));
  const rsList = await apps.listNamespacedReplicaSet({ namespace: 'shop' });
  assert.equal(rsList.items.length, 2);
  assert.deepEqual(rsList.items.map((rs) => rs.spec?.replicas).sort(), [0, 3]);
});
