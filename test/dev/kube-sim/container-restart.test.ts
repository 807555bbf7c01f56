// restartContainers as the kubelet does it in place: restartCount goes up, the pod keeps its name and address, and
// the runtime's containersRestarted hook runs (what restarts a proxy pod's Squid); settle() waits for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startKubeSimulator } from '../../../shared/dev/kube-sim/index.ts';
import type { V1PodLike } from '../../../shared/dev/kube-sim/index.ts';

test('restartContainers runs containersRestarted with the pod as it now is, and settle() waits for the hook', async (t) => {
  const seen: Array<{ name: string; ip: string; restarts: number[]; at: 'start' | 'end' }> = [];
  const started: string[] = [];
  const sim = await startKubeSimulator({
    runtime: {
      podStarted: (pod) => void started.push(pod.metadata.name),
      async containersRestarted(pod: V1PodLike) {
        const record = { name: pod.metadata.name, ip: pod.status.podIP, restarts: pod.status.containerStatuses.map((c) => c.restartCount) };
        seen.push({ ...record, at: 'start' });
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push({ ...record, at: 'end' });
      },
    },
  });
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'proxy', name: 'squid', replicas: 1, podLabels: { app: 'squid' }, containers: [{ name: 'squid' }] });
  const [pod] = sim.listPods('proxy', { app: 'squid' });
  sim.restartContainers('proxy', pod!.metadata.name);
  await sim.settle();
  assert.deepEqual(seen, [
    { name: pod!.metadata.name, ip: pod!.status.podIP, restarts: [1], at: 'start' },
    { name: pod!.metadata.name, ip: pod!.status.podIP, restarts: [1], at: 'end' },
  ]);
  assert.deepEqual(started, [pod!.metadata.name], 'no new pod: the same one restarted in place');
});

test('a containersRestarted hook that throws is reported by settle()', async (t) => {
  const sim = await startKubeSimulator({
    runtime: {
      containersRestarted() {
        throw new Error('squid would not start again');
      },
    },
  });
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'proxy', name: 'squid', replicas: 1, podLabels: { app: 'squid' } });
  sim.restartContainers('proxy', sim.listPods('proxy', { app: 'squid' })[0]!.metadata.name);
  await assert.rejects(sim.settle(), /squid would not start again/);
});
