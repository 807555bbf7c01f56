// The Kubernetes API simulator as a process of its own, with the bench's Deployments created; writes the kubeconfig
// and the pods (as load targets) to files and prints {"ready":true,…}. Stops on SIGTERM.
// Run by the bench: node test/bench/lib/sim-server.ts '<SimSpec as JSON>'
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { startKubeSimulator } from '../../../shared/dev/kube-sim/index.ts';
import type { BenchTarget } from './generator.ts';

const specSchema = z.object({
  dir: z.string(),
  namespace: z.string(),
  deployments: z.number().int().min(1),
  podsPerDeployment: z.number().int().min(1),
  labels: z.record(z.string(), z.string()),
  /** Addresses the pods get in turn, so that a few real servers answer every probe. */
  addressPool: z.array(z.string()).optional(),
});
export type SimSpec = z.input<typeof specSchema>;
export interface SimReady {
  ready: true;
  url: string;
  kubeconfig: string;
  targetsFile: string;
  pods: number;
}

const spec = specSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const sim = await startKubeSimulator(spec.addressPool ? { podAddresses: { pool: spec.addressPool } } : {});
sim.createNamespace(spec.namespace);
const width = String(spec.deployments).length;
for (let d = 0; d < spec.deployments; d++) {
  const name = `app-${String(d).padStart(width, '0')}`;
  await sim.createDeployment({ namespace: spec.namespace, name, replicas: spec.podsPerDeployment, podLabels: { ...spec.labels, deployment: name }, containers: [{ name: 'app', ports: [8080] }] });
}
await sim.settle();
const targets: BenchTarget[] = sim.listPods(spec.namespace).map((p) => ({
  namespace: spec.namespace,
  name: p.metadata.name,
  workload: p.metadata.labels?.deployment ?? '',
}));
const kubeconfig = join(spec.dir, 'kubeconfig.yaml');
const targetsFile = join(spec.dir, `targets-${spec.deployments}x${spec.podsPerDeployment}.json`);
writeFileSync(kubeconfig, sim.kubeconfigYaml());
writeFileSync(targetsFile, JSON.stringify(targets));
const ready: SimReady = { ready: true, url: sim.url, kubeconfig, targetsFile, pods: targets.length };
process.stdout.write(`${JSON.stringify(ready)}\n`);
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
