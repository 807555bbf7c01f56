// Services and EndpointSlices through the real client: selector patches of each type, readiness, pod replacement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchStrategy, setHeaderOptions, type V1EndpointSlice } from '@kubernetes/client-node';
import { rejection, startFixture, type Fixture } from './fixture.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

async function setup(t: Parameters<typeof startFixture>[0]): Promise<Fixture> {
  const fx = await startFixture(t);
  await fx.sim.createDeployment({ namespace: 'shop', name: 'canary', replicas: 1, podLabels: { app: 'web-canary', track: 'canary' } });
  fx.sim.createService({ namespace: 'shop', name: 'web', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
  return fx;
}

async function slice(fx: Fixture): Promise<V1EndpointSlice> {
  const list = await fx.discovery.listNamespacedEndpointSlice({ namespace: 'shop', labelSelector: 'kubernetes.io/service-name=web' });
  assert.equal(list.items.length, 1);
  const [only] = list.items;
  assert.ok(only);
  return only;
}

async function addresses(fx: Fixture): Promise<string[]> {
  return ((await slice(fx)).endpoints ?? []).flatMap((e) => e.addresses).sort();
}

function ipsOf(fx: Fixture, labels: Record<string, string>): string[] {
  return fx.sim.listPods('shop', labels).map((p) => p.status.podIP).sort();
}

test('an EndpointSlice lists the ready pods a Service selects', async (t) => {
  const fx = await setup(t);
  const s = await slice(fx);
  assert.equal(s.addressType, 'IPv4');
  assert.equal(s.metadata?.labels?.['kubernetes.io/service-name'], 'web');
  assert.equal(s.metadata?.ownerReferences?.[0]?.kind, 'Service');
  assert.deepEqual(s.ports?.map((p) => [p.name, p.port, p.protocol]), [['http', 8080, 'TCP']]);
  assert.deepEqual(await addresses(fx), ipsOf(fx, { app: 'web' }));
  for (const e of s.endpoints ?? []) {
    assert.equal(e.conditions?.ready, true);
    assert.equal(e.targetRef?.kind, 'Pod');
    const pod = fx.sim.getPod('shop', e.targetRef?.name ?? '');
    assert.equal(pod?.status.podIP, e.addresses[0]);
    assert.equal(e.targetRef?.uid, pod?.metadata.uid);
  }
});

test('a merge patch merges selector keys, and null removes one', async (t) => {
  const fx = await setup(t);
  await fx.core.patchNamespacedService({ namespace: 'shop', name: 'web', body: { spec: { selector: { track: 'canary' } } } }, merge);
  assert.deepEqual((fx.sim.getService('shop', 'web') as { spec: { selector: object } }).spec.selector, { app: 'web', track: 'canary' });
  const raw = await fetch(`${fx.sim.url}/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb`);
  const body = (await raw.json()) as { items: Array<{ endpoints: unknown }> };
  assert.equal(body.items[0]?.endpoints, null, 'no pod has both labels, and the real API serves null for an empty endpoint list');
  const svc = await fx.core.patchNamespacedService({ namespace: 'shop', name: 'web', body: { spec: { selector: { app: null } } } }, merge);
  assert.deepEqual(svc.spec?.selector, { track: 'canary' });
  assert.deepEqual(await addresses(fx), ipsOf(fx, { track: 'canary' }));
});

test('a strategic merge patch merges the selector map too', async (t) => {
  const fx = await setup(t);
  const svc = await fx.core.patchNamespacedService({ namespace: 'shop', name: 'web', body: { spec: { selector: { tier: 'frontend' } } } }, strategic);
  assert.deepEqual(svc.spec?.selector, { app: 'web', tier: 'frontend' });
  assert.deepEqual(await addresses(fx), ipsOf(fx, { app: 'web' }));
  await fx.core.patchNamespacedService({ namespace: 'shop', name: 'web', body: { spec: { selector: { app: null, tier: null, track: 'canary' } } } }, strategic);
  assert.deepEqual(await addresses(fx), ipsOf(fx, { track: 'canary' }));
});

test('a JSON patch replace of /spec/selector replaces it whole', async (t) => {
  const fx = await setup(t);
  const svc = await fx.core.patchNamespacedService(
    { namespace: 'shop', name: 'web', body: [{ op: 'replace', path: '/spec/selector', value: { track: 'canary' } }] },
    jsonPatch,
  );
  assert.deepEqual(svc.spec?.selector, { track: 'canary' });
  assert.deepEqual(await addresses(fx), ipsOf(fx, { track: 'canary' }));
  assert.equal(fx.sim.requests.findLast((r) => r.method === 'PATCH')?.contentType, 'application/json-patch+json');
});

test('readiness changes show in the EndpointSlice at once', async (t) => {
  const fx = await setup(t);
  const pod = fx.sim.listPods('shop', { app: 'web' })[0];
  assert.ok(pod);
  const readyOf = async (): Promise<boolean | undefined> =>
    (await slice(fx)).endpoints?.find((e) => e.targetRef?.name === pod.metadata.name)?.conditions?.ready;
  const rvBefore = (await slice(fx)).metadata?.resourceVersion;
  fx.sim.setPodReady('shop', pod.metadata.name, false);
  assert.equal(await readyOf(), false);
  assert.notEqual((await slice(fx)).metadata?.resourceVersion, rvBefore);
  fx.sim.setPodReady('shop', pod.metadata.name, true);
  assert.equal(await readyOf(), true);
});

test('a replaced pod shows up in the EndpointSlice under its new address', async (t) => {
  const fx = await setup(t);
  const victim = fx.sim.listPods('shop', { app: 'web' })[0];
  assert.ok(victim);
  await fx.core.deleteNamespacedPod({ namespace: 'shop', name: victim.metadata.name });
  await fx.sim.settle();
  const now = await addresses(fx);
  assert.equal(now.length, 3);
  assert.ok(!now.includes(victim.status.podIP));
  assert.deepEqual(now, ipsOf(fx, { app: 'web' }));
});

test('strategic merge on ports merges by port; invalid ports are rejected with 422', async (t) => {
  const fx = await setup(t);
  const svc = await fx.core.patchNamespacedService(
    { namespace: 'shop', name: 'web', body: { spec: { ports: [{ port: 80, targetPort: 9090 }] } } },
    strategic,
  );
  assert.deepEqual(svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]), [['http', 80, 9090]]);
  assert.deepEqual((await slice(fx)).ports?.map((p) => p.port), [9090]);
  const bad = await rejection(
    fx.core.patchNamespacedService({ namespace: 'shop', name: 'web', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 0 }] }, jsonPatch),
  );
  assert.equal(bad.code, 422);
  assert.equal(bad.body['message'], 'Service "web" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive');
  const services = await fx.core.listNamespacedService({ namespace: 'shop' });
  assert.deepEqual(services.items.map((s) => s.metadata?.name), ['web']);
});
