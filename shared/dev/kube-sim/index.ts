// Entry point: starts a Kubernetes API simulator that the real @kubernetes/client-node talks to over loopback HTTP.
import type { KubeConfig } from '@kubernetes/client-node';
import { AddressPool, LoopbackAllocator, claimAddressBlock } from './addresses.ts';
import type { AddressAllocator, AddressBlock } from './addresses.ts';
import { Cluster } from './cluster.ts';
import { startHttpServer } from './http-server.ts';
import type { Denial, FaultRule, Stalls } from './http-server.ts';
import { kubeconfigYaml, makeKubeConfig } from './kubeconfig.ts';
import { mapSelectorMatches } from './selectors.ts';
import type { KubeSimulator, RequestRecord, SimulatorOptions } from './types.ts';
import type { V1PodLike } from './wire-types.ts';

export type { Fault } from './http-server.ts';
export type {
  DeploymentSpec,
  ExecReply,
  HpaSpec,
  KubeSimulator,
  PdbSpec,
  PodRuntime,
  RequestRecord,
  ServiceSpec,
  SimulatorOptions,
  V1PodLike,
} from './types.ts';
export { SIM_TOKEN } from './kubeconfig.ts';

export async function startKubeSimulator(opts: SimulatorOptions = {}): Promise<KubeSimulator> {
  const host = opts.host ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new Error(`kube-sim: host must be a 127.0.0.0/8 address, got ${host}`);
  // A pool of given addresses claims no block: its servers are the caller's.
  const block: AddressBlock = typeof opts.podAddresses === 'object' ? { first: 0, release: async () => {} } : await claimAddressBlock(opts.podAddresses ?? 'spread');
  const cluster = new Cluster(opts.runtime ?? {}, opts.recreateDelayMs ?? 0, typeof opts.podAddresses === 'object' ? new AddressPool(opts.podAddresses.pool) : new LoopbackAllocator(block.first));
  const requests: RequestRecord[] = [];
  const denials: Denial[] = [];
  const stalls: Stalls = { on: false, open: new Set() };
  const faults: FaultRule[] = [];
  const server = await startHttpServer(cluster, requests, host, denials, stalls, faults).catch(async (error: unknown) => {
    await block.release();
    throw error;
  });
  let closed: Promise<void> | undefined;

  return {
    url: server.url,
    requests,
    forbid: (method, path) => void denials.push({ method, path }),
    allowAll: () => void denials.splice(0),
    inject: (method, path, fault, times = Number.POSITIVE_INFINITY) => void faults.push({ method, path, fault, left: times }),
    clearFaults: () => void faults.splice(0),
    stallExec: (on) => void (stalls.on = on),
    stalledExecSockets: () => stalls.open.size,
    kubeConfig: (): KubeConfig => makeKubeConfig(server.url),
    kubeconfigYaml: () => kubeconfigYaml(server.url),
    createNamespace: (name) => cluster.createNamespace(name),
    createDeployment: (spec) => cluster.createDeployment(spec),
    createService: (spec) => cluster.createService(spec),
    createPdb: (spec) => cluster.createPdb(spec),
    deletePdb: (namespace, name) => cluster.deletePdb(namespace, name),
    createHpa: (spec) => cluster.createHpa(spec),
    getHpa: (namespace, name) => {
      const hpa = cluster.store.get('HorizontalPodAutoscaler', namespace, name);
      return hpa ? structuredClone(hpa) : undefined;
    },
    listPods: (namespace, selector): V1PodLike[] =>
      cluster.store
        .list('Pod', namespace)
        .filter((p) => selector === undefined || mapSelectorMatches(selector, p.metadata.labels))
        .map((p) => structuredClone(p)),
    getPod: (namespace, name) => {
      const pod = cluster.store.get('Pod', namespace, name);
      return pod ? structuredClone(pod) : undefined;
    },
    setPodReady: (namespace, name, ready) => cluster.setPodReady(namespace, name, ready),
    setContainersStarted: (namespace, name, started) => cluster.setContainersStarted(namespace, name, started),
    restartContainers: (namespace, name) => cluster.restartContainers(namespace, name),
    getService: (namespace, name) => {
      const svc = cluster.store.get('Service', namespace, name);
      return svc ? structuredClone(svc) : undefined;
    },
    getDeployment: (namespace, name) => {
      const d = cluster.store.get('Deployment', namespace, name);
      return d ? structuredClone(d) : undefined;
    },
    settle: () => cluster.tasks.settle(),
    close: () => {
      closed ??= (async () => {
        await server.close();
        await cluster.close();
        await block.release();
      })();
      return closed;
    },
  };
}
