// The simulator's events.k8s.io/v1 API through the real client: create, read, list by regarding, patch, validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException, EventsV1Api, PatchStrategy, setHeaderOptions, type EventsV1Event } from '@kubernetes/client-node';
import { startFixture } from './fixture.ts';

function event(name: string, over: Partial<EventsV1Event> = {}): EventsV1Event {
  return {
    metadata: { name, namespace: 'shop' },
    eventTime: new Date(),
    reportingController: 'selfheal.io/healer',
    reportingInstance: 'healer-1',
    action: 'restart',
    reason: 'Evicted',
    note: 'evicted pod shop/web-1',
    type: 'Normal',
    regarding: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'u-1' },
    ...over,
  };
}

test('an Event is created, read back and listed by regarding.name', async (t) => {
  const { kc } = await startFixture(t);
  const api = kc.makeApiClient(EventsV1Api);
  const created = await api.createNamespacedEvent({ namespace: 'shop', body: event('web-1.a1') });
  assert.ok(created.metadata?.uid);
  await api.createNamespacedEvent({ namespace: 'shop', body: event('web-2.b2', { regarding: { kind: 'Pod', namespace: 'shop', name: 'web-2' } }) });
  const read = await api.readNamespacedEvent({ namespace: 'shop', name: 'web-1.a1' });
  assert.equal(read.reason, 'Evicted');
  assert.equal(read.regarding?.uid, 'u-1');
  const list = await api.listNamespacedEvent({ namespace: 'shop', fieldSelector: 'regarding.name=web-1' });
  assert.deepEqual(list.items.map((e) => e.metadata?.name), ['web-1.a1']);
  const mine = await api.listEventForAllNamespaces({ fieldSelector: 'reportingController=selfheal.io/healer' });
  assert.equal(mine.items.length, 2);
});

test('a missing required field is 422 Invalid naming the field', async (t) => {
  const { kc } = await startFixture(t);
  const api = kc.makeApiClient(EventsV1Api);
  const body = event('web-1.c3');
  delete body.reportingInstance;
  await assert.rejects(api.createNamespacedEvent({ namespace: 'shop', body }), (error: unknown) => {
    assert.ok(error instanceof ApiException);
    assert.equal(error.code, 422);
    const status = JSON.parse(String(error.body)) as { reason: string; details: { causes: Array<{ field: string }> } };
    assert.equal(status.reason, 'Invalid');
    assert.deepEqual(status.details.causes.map((c) => c.field), ['reportingInstance']);
    return true;
  });
});

test('a merge patch and a strategic merge patch update the series of an Event', async (t) => {
  const { kc } = await startFixture(t);
  const api = kc.makeApiClient(EventsV1Api);
  await api.createNamespacedEvent({ namespace: 'shop', body: event('web-1.d4') });
  const at = new Date().toISOString();
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await api.patchNamespacedEvent({ namespace: 'shop', name: 'web-1.d4', body: { series: { count: 2, lastObservedTime: at } } }, merge);
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  const patched = await api.patchNamespacedEvent({ namespace: 'shop', name: 'web-1.d4', body: { series: { count: 3, lastObservedTime: at } } }, strategic);
  assert.equal(patched.series?.count, 3);
  assert.equal(patched.reason, 'Evicted');
  await assert.rejects(api.patchNamespacedEvent({ namespace: 'shop', name: 'web-1.d4', body: { reason: '' } }, merge), (e: unknown) => (e as ApiException<unknown>).code === 422);
  await assert.rejects(api.readNamespacedEvent({ namespace: 'shop', name: 'none' }), (e: unknown) => (e as ApiException<unknown>).code === 404);
});

test('discovery lists events.k8s.io/v1', async (t) => {
  const { sim } = await startFixture(t);
  const res = await fetch(`${sim.url}/apis`);
  const body = (await res.json()) as { groups: Array<{ name: string }> };
  assert.ok(body.groups.some((g) => g.name === 'events.k8s.io'));
});
