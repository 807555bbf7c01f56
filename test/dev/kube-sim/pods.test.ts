// Pods through the real client: selectors, delete-and-replace, ownership chain, resourceVersion, error Status bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoopbackAllocator } from '../../../shared/dev/kube-sim/addresses.ts';
import { startKubeSimulator } from '../../../shared/dev/kube-sim/index.ts';
import { rejection, startFixture } from './fixture.ts';

test('lists pods with equality and set-based label selectors', async (t) => {
  const { sim, core } = await startFixture(t);
  await sim.createDeployment({ namespace: 'shop', name: 'api', replicas: 2, podLabels: { app: 'api', tier: 'backend', canary: 'yes' } });
  const count = async (labelSelector: string): Promise<number> =>
    (await core.listNamespacedPod({ namespace: 'shop', labelSelector })).items.length;
  assert.equal(await count('app=web'), 3);
  assert.equal(await count('app==api'), 2);
  assert.equal(await count('tier!=backend'), 3);
  assert.equal(await count('app in (web,api)'), 5);
  assert.equal(await count('app notin (web)'), 2);
  assert.equal(await count('canary'), 2);
  assert.equal(await count('!canary'), 3);
  assert.equal(await count('app in (web, api), !canary, tier=frontend'), 3);
  assert.equal(await count('app=nothing'), 0);
});

test('lists pods with a status.phase field selector and rejects unsupported fields', async (t) => {
  const { core } = await startFixture(t);
  const running = await core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'status.phase=Running' });
  assert.equal(running.items.length, 3);
  const pending = await core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'status.phase=Pending' });
  assert.equal(pending.items.length, 0);
  const notRunning = await core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'status.phase!=Running' });
  assert.equal(notRunning.items.length, 0);
  const bad = await rejection(core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.color=blue' }));
  assert.equal(bad.code, 400);
  assert.equal(bad.body['reason'], 'BadRequest');
  assert.match(String(bad.body['message']), /field label not supported: spec\.color/);
  const badLabel = await rejection(core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app in web' }));
  assert.equal(badLabel.code, 400);
});

test('pods carry loopback IPs, Running phase, Ready condition and the ReplicaSet -> Deployment owner chain', async (t) => {
  const { sim, core, apps } = await startFixture(t);
  const pods = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items;
  const ips = pods.map((p) => p.status?.podIP);
  assert.deepEqual(new Set(ips).size, 3);
  for (const pod of pods) {
    assert.match(pod.status?.podIP ?? '', /^127\.\d+\.\d+\.\d+$/);
    assert.deepEqual(pod.status?.podIPs?.map((p) => p.ip), [pod.status?.podIP]);
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(pod.spec?.nodeName, 'kube-sim-node');
    assert.equal(pod.spec?.containers[0]?.ports?.[0]?.containerPort, 8080);
    assert.ok(pod.metadata?.uid);
    assert.ok(pod.metadata?.creationTimestamp instanceof Date);
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    assert.match(hash ?? '', /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    assert.match(pod.metadata?.name ?? '', new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    const rsRef = pod.metadata?.ownerReferences?.[0];
    assert.equal(rsRef?.kind, 'ReplicaSet');
    assert.equal(rsRef?.controller, true);
    const rs = await apps.readNamespacedReplicaSet({ namespace: 'shop', name: rsRef?.name ?? '' });
    assert.equal(rs.metadata?.uid, rsRef?.uid);
    const dRef = rs.metadata?.ownerReferences?.[0];
    assert.equal(dRef?.kind, 'Deployment');
    assert.equal(dRef?.controller, true);
    const d = await apps.readNamespacedDeployment({ namespace: 'shop', name: dRef?.name ?? '' });
    assert.equal(d.metadata?.uid, dRef?.uid);
    assert.equal(d.status?.readyReplicas, 3);
    assert.equal(d.status?.availableReplicas, 3);
  }
  assert.equal(sim.listPods('shop', { app: 'web' }).length, 3);
});

test('a deleted pod comes back under a new name and a new address', async (t) => {
  const { sim, core, started, stopped } = await startFixture(t);
  const before = sim.listPods('shop');
  const victim = before[0];
  assert.ok(victim);
  const deleted = await core.deleteNamespacedPod({ namespace: 'shop', name: victim.metadata.name });
  assert.equal(deleted.metadata?.name, victim.metadata.name);
  assert.ok(deleted.metadata?.deletionTimestamp, 'the DELETE answer is the pod marked for deletion');
  await sim.settle();
  const after = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items;
  assert.equal(after.length, 3);
  const names = after.map((p) => p.metadata?.name);
  const ips = after.map((p) => p.status?.podIP);
  assert.ok(!names.includes(victim.metadata.name));
  assert.ok(!ips.includes(victim.status.podIP));
  assert.deepEqual(stopped.map((p) => p.metadata.name), [victim.metadata.name]);
  assert.equal(started.length, 4);
  const allIps = started.map((p) => p.status.podIP);
  assert.equal(new Set(allIps).size, allIps.length, 'addresses are never reused');
});

test('with recreateDelayMs the replacement arrives only after the delay', async (t) => {
  const { sim, core } = await startFixture(t, { recreateDelayMs: 150 });
  const victim = sim.listPods('shop')[0];
  assert.ok(victim);
  await core.deleteNamespacedPod({ namespace: 'shop', name: victim.metadata.name });
  assert.equal((await core.listNamespacedPod({ namespace: 'shop' })).items.length, 2);
  await sim.settle();
  assert.equal((await core.listNamespacedPod({ namespace: 'shop' })).items.length, 3);
});

test('missing pods and unknown routes answer 404 Status objects; unknown namespaces list empty', async (t) => {
  const { sim, core } = await startFixture(t);
  const missing = await rejection(core.deleteNamespacedPod({ namespace: 'shop', name: 'ghost' }));
  assert.equal(missing.code, 404);
  assert.deepEqual(missing.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods "ghost" not found',
    reason: 'NotFound',
    details: { name: 'ghost', kind: 'pods' },
    code: 404,
  });
  const getMissing = await rejection(core.readNamespacedPod({ namespace: 'shop', name: 'ghost' }));
  assert.equal(getMissing.code, 404);
  const empty = await core.listNamespacedPod({ namespace: 'nowhere' });
  assert.equal(empty.kind, 'PodList');
  assert.equal(empty.apiVersion, 'v1');
  assert.deepEqual(empty.items, []);
  assert.ok(empty.metadata?.resourceVersion);
  const res = await fetch(`${sim.url}/api/v1/namespaces/shop/widgets`);
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const body = (await res.json()) as { kind: string; reason: string };
  assert.equal(body.kind, 'Status');
  assert.equal(body.reason, 'NotFound');
});

test('resourceVersion is a global counter that grows on every write', async (t) => {
  const { sim, core } = await startFixture(t);
  const rv = async (): Promise<number> => Number((await core.listNamespacedPod({ namespace: 'shop' })).metadata?.resourceVersion);
  const first = await rv();
  assert.equal(await rv(), first, 'reads do not bump it');
  const pod = sim.listPods('shop')[0];
  assert.ok(pod);
  sim.setPodReady('shop', pod.metadata.name, false);
  const second = await rv();
  assert.ok(second > first);
  const updated = await core.readNamespacedPod({ namespace: 'shop', name: pod.metadata.name });
  assert.ok(Number(updated.metadata?.resourceVersion) > Number(pod.metadata.resourceVersion));
  await core.deleteNamespacedPod({ namespace: 'shop', name: pod.metadata.name });
  await sim.settle();
  assert.ok((await rv()) > second);
  const path = `/api/v1/namespaces/shop/pods/${pod.metadata.name}`;
  assert.ok(sim.requests.some((r) => r.method === 'DELETE' && r.path === path && r.status === 200));
});

test('loopback addresses skip .0, .1 and .255 and roll over into the next /24', () => {
  const alloc = new LoopbackAllocator();
  const seen: string[] = [];
  for (let i = 0; i < 260; i++) seen.push(alloc.allocate());
  assert.equal(seen[0], '127.0.0.2');
  assert.equal(seen[252], '127.0.0.254');
  assert.equal(seen[253], '127.0.1.2');
  assert.ok(seen.every((ip) => !/\.(0|1|255)$/.test(ip)));
  assert.equal(new Set(seen).size, seen.length);
});

test('kubeconfigYaml() is a kubeconfig the client can load on its own', async (t) => {
  const { sim } = await startFixture(t);
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml());
  assert.equal(kc.getCurrentCluster()?.server, sim.url);
  assert.equal(kc.getCurrentUser()?.token, 'kube-sim-token');
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop' });
  assert.equal(pods.items.length, 3);
});

test('a failing podStarted rejects createDeployment and the pod is reported unready', async (t) => {
  const { startKubeSimulator } = await import('../../../shared/dev/kube-sim/index.ts');
  const sim = await startKubeSimulator({
    runtime: {
      podStarted: async () => {
        throw new Error('port already in use');
      },
    },
  });
  t.after(() => sim.close());
  await assert.rejects(sim.createDeployment({ namespace: 'x', name: 'bad', replicas: 1, podLabels: { app: 'bad' } }), /port already in use/);
  const [pod] = sim.listPods('x');
  assert.ok(pod);
  assert.equal(pod.status.conditions.find((c) => c.type === 'Ready')?.status, 'False');
});

test('pod addresses: fixed from 127.0.0.2, or spread into a random /16 so runs side by side never share one', async (t) => {
  for (const [mode, pattern] of [['fixed', /^127\.0\.0\.2$/], ['spread', /^127\.(\d+)\.0\.2$/]] as const) {
    const sim = await startKubeSimulator({ podAddresses: mode });
    t.after(() => sim.close());
    await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 1, podLabels: { app: 'web' } });
    const ip = sim.listPods('shop')[0]!.status.podIP!;
    const m = ip.match(pattern);
    assert.ok(m, `${mode}: ${ip}`);
    if (mode === 'spread') assert.ok(Number(m[1]) >= 16 && Number(m[1]) < 216, ip);
  }
});

test('pod addresses: a simulator claims its block, so one in "free" or "spread" mode never takes a block another holds', async (t) => {
  const blockOf = (sim: Awaited<ReturnType<typeof startKubeSimulator>>) => sim.listPods('shop')[0]!.status.podIP!.split('.').slice(0, 2).join('.');
  const sims = [];
  for (const mode of ['free', 'free', 'spread', 'free'] as const) {
    const sim = await startKubeSimulator({ podAddresses: mode });
    t.after(() => sim.close());
    await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 1, podLabels: { app: 'web' } });
    sims.push(sim);
  }
  const blocks = sims.map(blockOf);
  assert.equal(new Set(blocks).size, blocks.length, blocks.join(' '));
  // Closing gives the block back: the next simulator may take it.
  const first = blocks[0]!;
  await sims[0]!.close();
  if (first === '127.0') {
    const again = await startKubeSimulator({ podAddresses: 'free' });
    t.after(() => again.close());
    await again.createDeployment({ namespace: 'shop', name: 'web', replicas: 1, podLabels: { app: 'web' } });
    assert.equal(blockOf(again), '127.0');
  }
});

test('pod addresses: a pool handed out in turn, loopback addresses only', async (t) => {
  const sim = await startKubeSimulator({ podAddresses: { pool: ['127.0.0.1', '127.0.9.9'] } });
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'shop', name: 'web', replicas: 3, podLabels: { app: 'web' } });
  await sim.createDeployment({ namespace: 'shop', name: 'api', replicas: 2, podLabels: { app: 'api' } });
  const ips = sim.listPods('shop').map((p) => p.status.podIP).sort();
  assert.deepEqual(ips, ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.9.9', '127.0.9.9']);
  await assert.rejects(startKubeSimulator({ podAddresses: { pool: ['127.0.0.1', '10.0.0.1'] } }), /127\.0\.0\.0\/8, got 10\.0\.0\.1/);
  await assert.rejects(startKubeSimulator({ podAddresses: { pool: [] } }), /at least one address/);
});
