import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import { probeExec } from '../../shared/kinds/exec/probe.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';

test('an exec handshake the API server never answers is closed by the client timeout, not left open', async (t) => {
  const sim = await startKubeSimulator();
  t.after(() => sim.close());
  await sim.createDeployment({ namespace: 'proxy', name: 'squid', replicas: 1, podLabels: { app: 'squid' } });
  const pod = sim.listPods('proxy')[0]!.metadata.name;
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: 300 });
  sim.stallExec(true);
  const verdict = await probeExec(kube.exec.exec.bind(kube.exec), { namespace: 'proxy', pod, container: 'app', command: ['true'], outputLimit: 64 }, AbortSignal.timeout(100));
  assert.equal(verdict.passed, false);
  assert.equal(sim.stalledExecSockets(), 1, 'the upgrade reached the server and was left unanswered');
  for (let i = 0; i < 40 && sim.stalledExecSockets() > 0; i++) await sleep(50);
  assert.equal(sim.stalledExecSockets(), 0);
});
