// Faults the simulator plays as a real API server under stress: throttling, failures, answers that come too late, races.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { rejection, startFixture } from './fixture.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

test('throttling: a plain-text 429 with Retry-After, and the request is not served', async (t) => {
  const f = await startFixture(t);
  const pod = f.sim.listPods('shop')[0]!.metadata.name;
  f.sim.inject('POST', /\/eviction$/, { kind: 'throttle', retryAfterSeconds: 2 }, 1);
  const url = `${f.sim.url}/api/v1/namespaces/shop/pods/${pod}/eviction`;
  const body = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'shop' } });
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 429);
  assert.equal(res.headers['retry-after'], '2');
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  assert.equal(await res.body.text(), 'Too many requests, please try again later.\n');
  assert.ok(f.sim.getPod('shop', pod), 'the pod was not evicted');
  // Only as many requests as asked meet the fault.
  const next = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.equal(next.statusCode, 201);
  await next.body.dump();
});

test('failures: 500 InternalError and 503 ServiceUnavailable Status bodies, nothing served', async (t) => {
  const f = await startFixture(t);
  const pod = f.sim.listPods('shop')[0]!.metadata.name;
  for (const code of [500, 503] as const) {
    f.sim.inject('DELETE', /\/pods\//, { kind: 'error', code }, 1);
    const res = await request(`${f.sim.url}/api/v1/namespaces/shop/pods/${pod}`, { method: 'DELETE' });
    const status = (await res.body.json()) as { kind: string; code: number; reason: string };
    assert.deepEqual([res.statusCode, status.kind, status.code, status.reason], [code, 'Status', code, code === 500 ? 'InternalError' : 'ServiceUnavailable']);
    assert.ok(f.sim.getPod('shop', pod), 'the pod is still there');
  }
});

test('a slow answer: the request is served at once, the answer comes after the delay', async (t) => {
  const f = await startFixture(t);
  const pod = f.sim.listPods('shop')[0]!.metadata.name;
  f.sim.inject('DELETE', /\/pods\//, { kind: 'slow', delayMs: 300 }, 1);
  const answered = request(`${f.sim.url}/api/v1/namespaces/shop/pods/${pod}`, { method: 'DELETE' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(f.sim.getPod('shop', pod), undefined, 'deleted before the answer');
  const res = await answered;
  assert.equal(res.statusCode, 200);
  await res.body.dump();
  f.sim.clearFaults();
});

test('a race: another client\'s write lands just before the request is served, so a stale resourceVersion meets 409', async (t) => {
  const { sim, apps } = await startFixture(t);
  const scale = await apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' });
  sim.inject('PATCH', /\/deployments\/web\/scale$/, { kind: 'race', write: () => apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 4 } } }, merge) }, 1);
  const stale = await rejection(
    apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { metadata: { resourceVersion: scale.metadata!.resourceVersion }, spec: { replicas: 5 } } }, merge),
  );
  assert.equal(stale.code, 409);
  assert.equal((await apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' })).spec?.replicas, 4);
});
