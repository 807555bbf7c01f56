// Evictions through the real client, with and without PodDisruptionBudgets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoreV1Api } from '@kubernetes/client-node';
import { rejection, startFixture } from './fixture.ts';

function evict(core: CoreV1Api, name: string) {
  return core.createNamespacedPodEviction({
    namespace: 'shop',
    name,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'shop' } },
  });
}

test('an eviction without a budget answers 201 Success and the pod is replaced', async (t) => {
  const { sim, core, stopped } = await startFixture(t);
  const victim = sim.listPods('shop')[0];
  assert.ok(victim);
  await evict(core, victim.metadata.name);
  const record = sim.requests.find((r) => r.path.endsWith(`/pods/${victim.metadata.name}/eviction`));
  assert.equal(record?.method, 'POST');
  assert.equal(record?.status, 201);
  await sim.settle();
  const pods = sim.listPods('shop');
  assert.equal(pods.length, 3);
  assert.ok(!pods.some((p) => p.metadata.name === victim.metadata.name || p.status.podIP === victim.status.podIP));
  assert.deepEqual(stopped.map((p) => p.metadata.name), [victim.metadata.name]);
});

test('the raw 201 body is a Success Status', async (t) => {
  const { sim } = await startFixture(t);
  const victim = sim.listPods('shop')[0];
  assert.ok(victim);
  const res = await fetch(`${sim.url}/api/v1/namespaces/shop/pods/${victim.metadata.name}/eviction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim.metadata.name } }),
  });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
});

test('a budget that would be violated answers 429 TooManyRequests until it is deleted', async (t) => {
  const { sim, core } = await startFixture(t);
  sim.createPdb({ namespace: 'shop', name: 'web-pdb', selector: { app: 'web' }, minAvailable: 3 });
  const victim = sim.listPods('shop')[0];
  assert.ok(victim);
  const refused = await rejection(evict(core, victim.metadata.name));
  assert.equal(refused.code, 429);
  assert.deepEqual(refused.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 3 healthy pods and has 3 currently' }] },
    code: 429,
  });
  assert.ok(sim.getPod('shop', victim.metadata.name), 'the pod survives a refused eviction');
  sim.deletePdb('shop', 'web-pdb');
  await evict(core, victim.metadata.name);
  assert.equal(sim.getPod('shop', victim.metadata.name), undefined);
});

test('maxUnavailable budgets count ready pods; an unready pod may go while the budget holds', async (t) => {
  const { sim, core } = await startFixture(t);
  sim.createPdb({ namespace: 'shop', name: 'web-pdb', selector: { app: 'web' }, maxUnavailable: 1 });
  const [sick, healthy] = sim.listPods('shop');
  assert.ok(sick && healthy);
  sim.setPodReady('shop', sick.metadata.name, false);
  const refused = await rejection(evict(core, healthy.metadata.name));
  assert.equal(refused.code, 429);
  await evict(core, sick.metadata.name);
  await sim.settle();
  // The replacement is ready, so one disruption is allowed again.
  await evict(core, healthy.metadata.name);
});

test('percentage budgets round the way the disruption controller does', async (t) => {
  const { sim, core } = await startFixture(t, { replicas: 4 });
  // 50% of 4 rounds up to 2 desired healthy: two voluntary disruptions at once are fine, a third is not.
  sim.createPdb({ namespace: 'shop', name: 'half', selector: { app: 'web' }, minAvailable: '50%' });
  const [a, b, c] = sim.listPods('shop');
  assert.ok(a && b && c);
  sim.setPodReady('shop', a.metadata.name, false);
  sim.setPodReady('shop', b.metadata.name, false);
  const refused = await rejection(evict(core, c.metadata.name));
  assert.equal(refused.code, 429);
  assert.match(JSON.stringify(refused.body), /needs 2 healthy pods and has 2 currently/);
});

test('evicting a missing pod is 404 and a mismatched body name is 400', async (t) => {
  const { sim, core } = await startFixture(t);
  const missing = await rejection(evict(core, 'ghost'));
  assert.equal(missing.code, 404);
  assert.equal(missing.body['reason'], 'NotFound');
  const victim = sim.listPods('shop')[0];
  assert.ok(victim);
  const mismatch = await rejection(
    core.createNamespacedPodEviction({ namespace: 'shop', name: victim.metadata.name, body: { metadata: { name: 'other' } } }),
  );
  assert.equal(mismatch.code, 400);
  assert.equal(mismatch.body['message'], 'name in URL does not match name in Eviction object');
});
