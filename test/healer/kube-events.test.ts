// Every action the healer performs, defers or fails leaves a Kubernetes Event on what it touched, read back through
// the real client; an Events API that refuses never changes the action or its reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import type { Target } from '../../shared/events/schemas.ts';
import { EventType } from '../../shared/events/types.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';
import { eventReason } from '../../functions/healer/kube-events.ts';

async function eventsOn(h: Harness, namespace: string, name: string): Promise<EventsV1Event[]> {
  const api = h.sim.kubeConfig().makeApiClient(EventsV1Api);
  return (await api.listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` })).items;
}

/** Three failures of the pod, a second apart from `at`: the third reaches the threshold. */
async function failThrice(h: Harness, pod: string, at: number) {
  let last;
  for (const i of [1, 2, 3]) {
    h.clock.now = at + i * 1000;
    last = await h.send(result('web-http', 'http', podTarget('shop', pod), 'failed', at + i * 1000));
  }
  return last!;
}

test('an eviction leaves a Normal Evicted Event on the pod, with its uid', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const uid = h.sim.listPods('shop', { app: 'web' }).find((p) => p.metadata!.name === pod)!.metadata!.uid;
  const healed = await failThrice(h, pod!, T0);
  assert.equal(healed.headers['ce-type'], EventType.healPerformed);
  const [event, ...more] = await eventsOn(h, 'shop', pod!);
  assert.equal(more.length, 0);
  assert.deepEqual(
    [event!.reason, event!.action, event!.note, event!.type, event!.reportingController, event!.reportingInstance],
    ['Evicted', 'restart', `evicted pod shop/${pod}`, 'Normal', 'selfheal.io/healer', 'healer-test-0'],
  );
  assert.deepEqual([event!.regarding?.kind, event!.regarding?.name, event!.regarding?.uid], ['Pod', pod, uid]);
  assert.ok(event!.metadata?.name?.startsWith(`${pod}.`));
  assert.equal(new Date(event!.eventTime as unknown as string).getTime(), T0 + 3000);
});

test('a PodDisruptionBudget deferral leaves a Warning; its repeat becomes a series of 2 on the same Event', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  h.sim.createPdb({ namespace: 'shop', name: 'web', selector: { app: 'web' }, minAvailable: 2 });
  const deferred = await failThrice(h, pod!, T0);
  assert.equal(dataOf(deferred).reason, 'disruption-budget');
  const [first] = await eventsOn(h, 'shop', pod!);
  assert.deepEqual([first!.reason, first!.type, first!.action, first!.series], ['EvictionDeferred', 'Warning', 'restart', undefined]);
  h.clock.now = T0 + 10_000;
  const again = await h.send(result('web-http', 'http', podTarget('shop', pod!), 'failed', T0 + 10_000));
  assert.equal(dataOf(again).reason, 'disruption-budget');
  const events = await eventsOn(h, 'shop', pod!);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.metadata?.name, first!.metadata?.name);
  assert.equal(events[0]!.series?.count, 2);
  assert.equal(new Date(events[0]!.series!.lastObservedTime as unknown as string).getTime(), T0 + 10_000);
  assert.equal(h.evictions(), 0);
});

test('a proxy switch leaves a ProxySwitched Event on the Service', async (t) => {
  const h = await startHarness(t);
  for (const role of ['primary', 'secondary'] as const) {
    await h.sim.createDeployment({ namespace: 'proxy', name: `squid-${role}`, replicas: 1, podLabels: { app: 'squid', role } });
  }
  h.sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const target = (role: 'primary' | 'secondary'): Target => ({ namespace: 'proxy', kind: 'Proxy', name: h.sim.listPods('proxy', { role })[0]!.metadata!.name!, workload: { kind: 'Deployment', name: `squid-${role}` } });
  let at = T0;
  const send = (role: 'primary' | 'secondary', outcome: 'passed' | 'failed') =>
    h.send(result('squid-egress', 'egress', target(role), outcome, (at += 1000), { proxy: { group: 'squid-egress', role } }));
  await send('secondary', 'passed');
  await send('primary', 'failed');
  assert.equal((await send('primary', 'failed')).headers['ce-type'], EventType.proxySwitched);
  const [event, ...more] = await eventsOn(h, 'proxy', 'squid');
  assert.equal(more.length, 0);
  assert.deepEqual([event!.reason, event!.action, event!.type, event!.regarding?.kind, event!.note], ['ProxySwitched', 'switch-proxy', 'Normal', 'Service', 'service proxy/squid now selects the secondary proxy']);
});

for (const [name, refuse] of [
  ['answers 500', (h: Harness) => h.sim.inject('POST', /\/events$/, { kind: 'error', code: 500 })],
  ['answers 403', (h: Harness) => h.sim.forbid('POST', /\/events$/)],
] as const) {
  test(`an Events API that ${name} does not fail the action: the same heal.performed, one eviction`, async (t) => {
    const h = await startHarness(t);
    const [pod] = await deploy(h, 'shop', 'web', 2);
    refuse(h);
    const healed = await failThrice(h, pod!, T0);
    assert.equal(healed.status, 200);
    assert.equal(healed.headers['ce-type'], EventType.healPerformed);
    assert.deepEqual([dataOf(healed).action, dataOf(healed).reason, dataOf(healed).detail], ['restart', 'threshold-reached', `evicted pod shop/${pod}`]);
    assert.equal(h.evictions(), 1);
    assert.ok(h.sim.requests.some((r) => r.method === 'POST' && r.path.endsWith('/events') && r.status >= 400));
    h.sim.allowAll();
    h.sim.clearFaults();
    assert.deepEqual(await eventsOn(h, 'shop', pod!), []);
  });
}

test('reasons are CamelCase, from the action, what it touched and how it ended', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-1' };
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
  assert.equal(eventReason('restart', { kind: 'performed', detail: 'evicted pod shop/web-1', regarding: pod }), 'Evicted');
  assert.equal(eventReason('restart', { kind: 'performed', detail: 'deleted pod shop/web-1 (…)', regarding: pod }), 'Deleted');
  assert.equal(eventReason('restart', { kind: 'deferred', detail: 'a PodDisruptionBudget forbids…', regarding: pod }), 'EvictionDeferred');
  assert.equal(eventReason('restart', { kind: 'performed', detail: 'a PodDisruptionBudget forbids…', regarding: deployment }), 'RolloutRestarted');
  assert.equal(eventReason('rollout-restart', { kind: 'declined', reason: 'deployment-paused', detail: 'paused', regarding: deployment }), 'RolloutRestartDeclined');
  assert.equal(eventReason('scale', { kind: 'performed', detail: 'scaled', regarding: deployment }), 'Scaled');
  assert.equal(eventReason('scale', { kind: 'declined', reason: 'hpa-at-max', detail: 'at max' }), 'ScaleDeclined');
  assert.equal(eventReason('switch-proxy', { kind: 'failed', transient: false, detail: '403' }), 'ProxySwitchFailed');
});
