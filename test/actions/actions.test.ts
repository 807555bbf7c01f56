// Each action of the catalog, performed with the real Kubernetes client against the simulator.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionContext, ActionRequest } from '../../shared/actions/action.ts';
import { actionSpec } from '../../shared/actions/catalog.ts';
import { nextReplicas } from '../../shared/actions/scale.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import type { KubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { k8s } from '../../shared/kubernetes/client.ts';
import { createEmitter } from '../../shared/emit/emitter.ts';
import { alertSchema } from '../../shared/events/schemas.ts';
import { EventType } from '../../shared/events/types.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { startSink } from '../support/sink.ts';

const WEB = { app: 'web' };

async function cluster(t: TestContext): Promise<{ sim: KubeSimulator; ctx: ActionContext; pods: () => Promise<k8s.V1Pod[]> }> {
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 2, podLabels: WEB, containers: [{ name: 'app', ports: [8080] }] });
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: 2_000 });
  const ctx: ActionContext = { kube: async () => kube, alerts: { timeoutMs: 1_000 }, now: Date.now };
  // Pods as the client reads them, the way the healer hands them to an action.
  const pods = async () => (await kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items;
  return { sim, ctx, pods };
}

const rule = (over: Partial<ActionRequest['rule']> = {}): ActionRequest['rule'] => ({ name: 'web-http', kind: 'http', namespace: 'shop', ...over });
const podTarget = (name: string) => ({ namespace: 'shop', kind: 'Pod' as const, name });

test('restart evicts the pod; the ReplicaSet replaces it', async (t) => {
  const { sim, ctx, pods } = await cluster(t);
  const victim = (await pods())[0]!.metadata!.name!;
  const outcome = await actionSpec('restart').perform(ctx, { rule: rule(), target: podTarget(victim), why: 'test' });
  assert.deepEqual(outcome, { kind: 'performed', detail: `evicted pod shop/${victim}`, regarding: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: victim, uid: undefined } });
  await sim.settle();
  const names = (await pods()).map((p) => p.metadata!.name);
  assert.equal(names.length, 2);
  assert.ok(!names.includes(victim), `${victim} is still there: ${names.join(', ')}`);
});

test('restart of a pod already gone counts as done', async (t) => {
  const { ctx } = await cluster(t);
  const outcome = await actionSpec('restart').perform(ctx, { rule: rule(), target: podTarget('web-gone'), why: 'test' });
  assert.deepEqual(outcome, { kind: 'performed', detail: 'pod shop/web-gone was already gone', regarding: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-gone', uid: undefined } });
});

test('restart behind a PodDisruptionBudget is deferred, or deletes with deleteFallback', async (t) => {
  const { sim, ctx, pods } = await cluster(t);
  sim.createPdb({ namespace: 'shop', name: 'web', selector: WEB, minAvailable: 2 });
  const victim = (await pods())[0]!.metadata!.name!;
  const deferred = await actionSpec('restart').perform(ctx, { rule: rule(), target: podTarget(victim), why: 'test' });
  assert.equal(deferred.kind, 'deferred');
  assert.ok(sim.getPod('shop', victim), 'the pod is untouched');
  const deleted = await actionSpec('restart').perform(ctx, { rule: rule({ deleteFallback: true }), target: podTarget(victim), why: 'test' });
  assert.equal(deleted.kind, 'performed');
  assert.match(deleted.detail, /deleted pod shop\/web-.* \(eviction refused by a PodDisruptionBudget; deleteFallback is on\)/);
});

test('restart of the only pod of a single-replica Deployment behind a PodDisruptionBudget restarts its rollout instead', async (t) => {
  const { sim, ctx } = await cluster(t);
  await sim.createDeployment({ namespace: 'shop', name: 'solo', replicas: 1, podLabels: { app: 'solo' }, containers: [{ name: 'app', ports: [8080] }] });
  sim.createPdb({ namespace: 'shop', name: 'solo', selector: { app: 'solo' }, minAvailable: 1 });
  const [only] = sim.listPods('shop', { app: 'solo' });
  const pod = only as unknown as k8s.V1Pod;
  const outcome = await actionSpec('restart').perform(ctx, { rule: rule(), target: podTarget(pod.metadata!.name!), pod, why: 'test' });
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /^a PodDisruptionBudget forbids evicting shop\/solo-.*, the only pod of deployment shop\/solo: restarted the rollout of deployment shop\/solo \(restartedAt .*\)$/);
  assert.equal(sim.requests.filter((r) => r.method === 'DELETE').length, 0, 'never deleted');
  await sim.settle();
  const [replacement] = sim.listPods('shop', { app: 'solo' });
  assert.notEqual(replacement?.metadata.name, pod.metadata!.name, 'the rollout replaced it');

  // With two replicas the budget may allow one later: deferred as before.
  const victim = (await (await ctx.kube()).core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items[0]!;
  sim.createPdb({ namespace: 'shop', name: 'web', selector: WEB, minAvailable: 2 });
  const deferred = await actionSpec('restart').perform(ctx, { rule: rule(), target: podTarget(victim.metadata!.name!), pod: victim, why: 'test' });
  assert.equal(deferred.kind, 'deferred');
});

test('restart refused by RBAC is a final failure naming the status', async (t) => {
  const { sim, ctx, pods } = await cluster(t);
  sim.forbid('POST', /\/eviction$/);
  const outcome = await actionSpec('restart').perform(ctx, { rule: rule(), target: podTarget((await pods())[0]!.metadata!.name!), why: 'test' });
  assert.equal(outcome.kind, 'failed');
  assert.equal(outcome.kind === 'failed' && outcome.transient, false);
  assert.match(outcome.detail, /403/);
});

test('scale walks pod → ReplicaSet → Deployment and adds a step, within the bounds', async (t) => {
  const { sim, ctx, pods } = await cluster(t);
  const pod = (await pods())[0]!;
  const bounds = { step: 1, max: 3 };
  const first = await actionSpec('scale').perform(ctx, { rule: rule({ scale: bounds }), target: podTarget(pod.metadata!.name!), pod, why: 'test' });
  assert.deepEqual(first, { kind: 'performed', detail: 'scaled deployment shop/web from 2 to 3 replicas', regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' } });
  assert.equal((sim.getDeployment('shop', 'web') as { spec?: { replicas?: number } } | undefined)?.spec?.replicas, 3);
  const again = await actionSpec('scale').perform(ctx, { rule: rule({ scale: bounds }), target: podTarget(pod.metadata!.name!), pod, why: 'test' });
  assert.deepEqual(again, { kind: 'performed', detail: 'deployment shop/web is already at 3 replicas (max 3)', regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' } });
});

test('scale without bounds, without a pod, or of a pod without a ReplicaSet fails for good', async (t) => {
  const { ctx, pods } = await cluster(t);
  const pod = (await pods())[0]!;
  const target = podTarget(pod.metadata!.name!);
  const cases: Array<[string, ActionRequest, RegExp]> = [
    ['no bounds', { rule: rule(), target, pod, why: 'test' }, /rule web-http has no scale bounds/],
    ['no pod', { rule: rule({ scale: { step: 1, max: 3 } }), target, why: 'test' }, /no pod to find the workload from/],
    ['no owner', { rule: rule({ scale: { step: 1, max: 3 } }), target, pod: { ...pod, metadata: { ...pod.metadata, ownerReferences: [] } }, why: 'test' }, /has no owning ReplicaSet/],
  ];
  for (const [name, request, detail] of cases) {
    await t.test(name, async () => {
      const outcome = await actionSpec('scale').perform(ctx, request);
      assert.equal(outcome.kind, 'failed');
      assert.equal(outcome.kind === 'failed' && outcome.transient, false);
      assert.match(outcome.detail, detail);
    });
  }
});

test('nextReplicas: a step, a target, never above the maximum, never down', async (t) => {
  const rows: Array<[string, number, { replicas?: number; step: number; max: number }, number]> = [
    ['one step', 2, { step: 1, max: 4 }, 3],
    ['at the maximum', 4, { step: 1, max: 4 }, 4],
    ['a step past the maximum stops there', 1, { step: 5, max: 4 }, 4],
    ['a target', 1, { replicas: 3, step: 1, max: 4 }, 3],
    ['above the maximum (by hand): left alone', 5, { replicas: 3, step: 1, max: 4 }, 5],
  ];
  for (const [name, current, bounds, expected] of rows) await t.test(name, () => assert.equal(nextReplicas(current, bounds), expected));
});

test('switch-proxy replaces the Service selector, and says so when it already selects that proxy', async (t) => {
  const { sim, ctx } = await cluster(t);
  sim.createNamespace('proxy');
  sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  const egress = rule({
    name: 'squid-egress',
    kind: 'egress',
    namespace: 'proxy',
    service: 'squid',
    proxies: { primary: { selector: { app: 'squid', role: 'primary' } }, secondary: { selector: { app: 'squid', role: 'secondary' } } },
  });
  const request = { rule: egress, target: { namespace: 'proxy', kind: 'Proxy' as const, name: 'squid-primary-0' }, why: 'test', to: 'secondary' as const };
  const outcome = await actionSpec('switch-proxy').perform(ctx, request);
  assert.deepEqual(outcome, { kind: 'performed', detail: 'service proxy/squid now selects the secondary proxy', regarding: { apiVersion: 'v1', kind: 'Service', namespace: 'proxy', name: 'squid' } });
  assert.deepEqual((sim.getService('proxy', 'squid') as { spec?: { selector?: Record<string, string> } } | undefined)?.spec?.selector, { app: 'squid', role: 'secondary' });
  const again = await actionSpec('switch-proxy').perform(ctx, request);
  assert.deepEqual(again, { kind: 'performed', detail: 'service proxy/squid already selects the secondary proxy', regarding: { apiVersion: 'v1', kind: 'Service', namespace: 'proxy', name: 'squid' } });
  const notEgress = await actionSpec('switch-proxy').perform(ctx, { ...request, rule: rule() });
  assert.deepEqual(notEgress, { kind: 'failed', transient: false, detail: 'switch-proxy is an action of egress rules only' });
});

test('alert sends an io.selfheal.alert that fits its schema; a webhook answering 503 is transient', async (t) => {
  const sink = await startSink();
  t.after(() => sink.close());
  const emitter = createEmitter({ sink: sink.url, logger: createLogger({ name: 'test', level: 'silent' }), timeoutMs: 1_000, retries: 0 });
  t.after(() => emitter.close());
  const at = Date.parse('2026-11-23T12:00:00Z');
  const ctx: ActionContext = { kube: () => Promise.reject(new Error('an alert needs no cluster')), alerts: { emitter, timeoutMs: 1_000 }, now: () => at };
  const outcome = await actionSpec('alert').perform(ctx, { rule: rule(), target: podTarget('web-1'), why: 'three failures' });
  assert.deepEqual(outcome, { kind: 'performed', detail: 'alert raised (sink): three failures' });
  const [event] = sink.ofType<unknown>(EventType.alert);
  assert.deepEqual(alertSchema.parse(event?.data), { rule: 'web-http', target: podTarget('web-1'), why: 'three failures', severity: 'critical', at: '2026-11-23T12:00:00.000Z' });

  sink.failNext(1, 503);
  const webhook: ActionContext = { ...ctx, alerts: { webhookUrl: sink.url, timeoutMs: 1_000 } };
  const failed = await actionSpec('alert').perform(webhook, { rule: rule(), target: podTarget('web-1'), why: 'again' });
  assert.deepEqual(failed, { kind: 'failed', transient: true, detail: 'alert webhook answered 503' });
});
