// A rule's pods are listed in pages: a selector matching thousands of pods never has the whole list in memory at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listRunningPods } from '../../shared/checks/running-pods.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';

test('listing a rule\'s pods asks for pages and follows continue to the last one', async (t) => {
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'big', name: 'web', replicas: 5, podLabels: { app: 'web' } });
  await sim.createDeployment({ namespace: 'big', name: 'other', replicas: 2, podLabels: { app: 'other' } });
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: 5_000 });
  const pods = await listRunningPods(kube, 'big', 'app=web', 2);
  assert.deepEqual(pods.map((p) => p.name).sort(), sim.listPods('big', { app: 'web' }).map((p) => p.metadata.name).sort());
  const lists = sim.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/big/pods');
  assert.equal(lists.length, 3, lists.map((r) => r.query).join(' | '));
  for (const r of lists) assert.equal(new URLSearchParams(r.query).get('limit'), '2', r.query);
  assert.equal(new URLSearchParams(lists[0]!.query).get('continue'), null);
  assert.ok(new URLSearchParams(lists[2]!.query).get('continue'), 'the last page was asked for with a continue token');
});

test('the simulator pages a list as the API does: limit, continue, remainingItemCount; a bad token is a 400', async (t) => {
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'big', name: 'web', replicas: 3, podLabels: { app: 'web' } });
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: 5_000 });
  const first = await kube.core.listNamespacedPod({ namespace: 'big', limit: 2 });
  assert.equal(first.items.length, 2);
  assert.equal(first.metadata?.remainingItemCount, 1);
  assert.ok(first.metadata?._continue);
  const second = await kube.core.listNamespacedPod({ namespace: 'big', limit: 2, _continue: first.metadata._continue });
  assert.equal(second.items.length, 1);
  assert.equal(second.metadata?._continue, undefined);
  assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion, 'the pages name the first page\'s resourceVersion');
  const names = [...first.items, ...second.items].map((p) => p.metadata!.name!);
  assert.deepEqual(names, sim.listPods('big').map((p) => p.metadata.name));
  await assert.rejects(kube.core.listNamespacedPod({ namespace: 'big', limit: 2, _continue: 'not-a-token' }), (e: { code?: number }) => e.code === 400);
});
