// Actions under API faults: an answer that never came, throttling, and a pod recreated under the same name.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionContext, ActionRequest } from '../../shared/actions/action.ts';
import { actionSpec } from '../../shared/actions/catalog.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import type { KubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { KubeClients, k8s } from '../../shared/kubernetes/client.ts';

const TIMEOUT_MS = 300;

async function cluster(t: TestContext): Promise<{ sim: KubeSimulator; kube: KubeClients; ctx: ActionContext; pod: () => Promise<k8s.V1Pod> }> {
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 2, podLabels: { app: 'web' }, containers: [{ name: 'app', ports: [8080] }] });
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: TIMEOUT_MS });
  const ctx: ActionContext = { kube: async () => kube, alerts: { timeoutMs: 1_000 }, now: Date.now };
  const pod = async () => (await kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items[0]!;
  return { sim, kube, ctx, pod };
}

const request = (pod: k8s.V1Pod, over: Partial<ActionRequest['rule']> = {}): ActionRequest => ({
  rule: { name: 'web-http', kind: 'http', namespace: 'shop', ...over },
  target: { namespace: 'shop', kind: 'Pod', name: pod.metadata!.name! },
  pod,
  why: 'test',
});

const deletes = (sim: KubeSimulator) => sim.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/pods/')).length;

test('an eviction whose answer never came, but which happened, is performed (the cluster says so), not a failure', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const victim = await pod();
  sim.inject('POST', /\/eviction$/, { kind: 'slow', delayMs: TIMEOUT_MS * 3 }, 1);
  const outcome = await actionSpec('restart').perform(ctx, request(victim));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /no answer/);
  assert.equal(sim.getPod('shop', victim.metadata!.name!), undefined);
});

test('an eviction whose answer never came, and which did not happen, is a transient failure (retried)', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const victim = await pod();
  sim.inject('POST', /\/eviction$/, { kind: 'slow', delayMs: TIMEOUT_MS * 3, served: false }, 1);
  const outcome = await actionSpec('restart').perform(ctx, request(victim));
  assert.deepEqual([outcome.kind, outcome.kind === 'failed' && outcome.transient], ['failed', true], outcome.detail);
  assert.ok(sim.getPod('shop', victim.metadata!.name!), 'the pod is still there');
});

test('a throttled eviction (429 without a DisruptionBudget cause) is transient, and deleteFallback does not delete', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const victim = await pod();
  sim.inject('POST', /\/eviction$/, { kind: 'throttle', retryAfterSeconds: 1 });
  const outcome = await actionSpec('restart').perform(ctx, request(victim, { deleteFallback: true }));
  assert.deepEqual([outcome.kind, outcome.kind === 'failed' && outcome.transient], ['failed', true], outcome.detail);
  assert.equal(deletes(sim), 0, 'no DELETE was sent');
  assert.ok(sim.getPod('shop', victim.metadata!.name!), 'the pod is still there');
});

test('only a 429 naming a DisruptionBudget cause defers the restart', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  sim.createPdb({ namespace: 'shop', name: 'web', selector: { app: 'web' }, minAvailable: 2 });
  const outcome = await actionSpec('restart').perform(ctx, request(await pod()));
  assert.equal(outcome.kind, 'deferred', outcome.detail);
});

test('an eviction carries the uid of the pod the decision read: a pod recreated under that name is not hit', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const read = await pod();
  const recreated = { ...read, metadata: { ...read.metadata, uid: 'an-older-incarnation' } };
  const outcome = await actionSpec('restart').perform(ctx, request(recreated, { deleteFallback: true }));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /replaced|gone/);
  assert.ok(sim.getPod('shop', read.metadata!.name!), 'the pod now under that name is untouched');
  const eviction = sim.requests.find((r) => r.path.endsWith('/eviction'));
  assert.equal(eviction?.status, 409);
});

test('scale writes with the resourceVersion it read: a concurrent change is not overwritten, it is re-read', async (t) => {
  const { sim, kube, ctx, pod } = await cluster(t);
  const read = await pod();
  const other = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: 2_000 });
  sim.inject('GET', /\/deployments\/web\/scale$/, { kind: 'slow', delayMs: 150 }, 1);
  const scaling = actionSpec('scale').perform(ctx, { ...request(read, { scale: { step: 1, max: 3 } }) });
  // Someone else (a person, an HPA) sets 5 replicas after the healer read 2.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await other.apps.patchNamespacedDeploymentScale({ namespace: 'shop', name: 'web', body: { spec: { replicas: 5 } } }, other.options('merge'));
  const outcome = await scaling;
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /already at 5 replicas/);
  const scale = await kube.apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' });
  assert.equal(scale.spec?.replicas, 5, 'the concurrent change stands');
  const patches = sim.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/scale'));
  assert.deepEqual(patches.map((p) => p.status), [200, 409], 'the other writer, then the healer refused on its stale read');
});

test('a scale whose answer never came is resolved by reading the scale back', async (t) => {
  const { sim, kube, ctx, pod } = await cluster(t);
  sim.inject('PATCH', /\/deployments\/web\/scale$/, { kind: 'slow', delayMs: TIMEOUT_MS * 3 }, 1);
  const outcome = await actionSpec('scale').perform(ctx, request(await pod(), { scale: { step: 1, max: 3 } }));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /no answer came, but deployment shop\/web is at 3 replicas/);
  assert.equal((await kube.apps.readNamespacedDeploymentScale({ namespace: 'shop', name: 'web' })).spec?.replicas, 3);
});

test('a switch whose answer never came is resolved by reading the Service back', async (t) => {
  const { sim, ctx } = await cluster(t);
  sim.createNamespace('proxy');
  sim.createService({ namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, ports: [{ port: 3128 }] });
  sim.inject('PATCH', /\/services\/squid$/, { kind: 'slow', delayMs: TIMEOUT_MS * 3 }, 1);
  const rule = {
    name: 'squid-egress',
    kind: 'egress',
    namespace: 'proxy',
    service: 'squid',
    proxies: { primary: { selector: { app: 'squid', role: 'primary' } }, secondary: { selector: { app: 'squid', role: 'secondary' } } },
  };
  const outcome = await actionSpec('switch-proxy').perform(ctx, { rule, target: { namespace: 'proxy', kind: 'Proxy', name: 'squid-primary-0' }, why: 'test', to: 'secondary' });
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /no answer came, but service proxy\/squid selects the secondary proxy/);
});

test('an eviction answered 500 although the API server carried it out is performed, found by reading the pod', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const victim = await pod();
  sim.inject('POST', /\/eviction$/, { kind: 'error', code: 500, served: true }, 1);
  const outcome = await actionSpec('restart').perform(ctx, request(victim));
  assert.equal(outcome.kind, 'performed', outcome.detail);
  assert.match(outcome.detail, /answered 500, but the pod is gone/);
});

test('an eviction answered 409 while the pod still runs (the budget\'s update conflicted) is retried, not taken as done', async (t) => {
  const { sim, ctx, pod } = await cluster(t);
  const victim = await pod();
  sim.inject('POST', /\/eviction$/, { kind: 'error', code: 409 }, 1);
  const outcome = await actionSpec('restart').perform(ctx, request(victim));
  assert.deepEqual([outcome.kind, outcome.kind === 'failed' && outcome.transient], ['failed', true], outcome.detail);
  assert.ok(sim.getPod('shop', victim.metadata!.name!), 'the pod is still there');
});
