// The world `--simulate` runs in: the Kubernetes API simulator with the workloads of knative/rules.yaml, whose pods
// are real loopback servers (demo apps, TCP ports, gRPC health servers, real Squids), and an "example.com" the proxies can reach.
// Without `squid` installed the proxy pods run the forward-proxy stand-in instead, and say so in the log.
// It lives in the test support code (dev dependencies), so it is imported only when the stack simulates.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSimulator } from '../kube-sim/index.ts';
import type { ExecReply, KubeSimulator, V1PodLike } from '../kube-sim/index.ts';
import { SQUID_MISSING, squidBinary, startDemoApp, startExternalSite, startForwardProxy, startGrpcHealthServer, startTcpListener } from '../targets/index.ts';
import type { DemoApp, ExternalSite, ForwardProxy, GrpcHealthServer, ServingStatus, SquidProxy, TcpListener } from '../targets/index.ts';
import { squidPods } from '../targets/squid-pods.ts';
import type { Logger } from '../../log/logger.ts';
import { startNginxFront } from './nginx-front.ts';
import type { NginxFront } from './nginx-front.ts';
import { EXAMPLE_COM_CERT_PATH, startTlsFront } from './tls-front.ts';

/** The label the seed rules' guard requires before the healer touches a pod. */
export const OPT_IN = { 'selfheal.io/enabled': 'true' } as const;

type Serve = 'nginx' | 'demo' | 'tcp' | 'grpc' | 'proxy' | 'none';

interface Workload {
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  container: string;
  serve: Serve;
  port: number;
}

/** What knative/rules.yaml expects to find. */
const WORKLOADS: readonly Workload[] = [
  { namespace: 'web', name: 'nginx', replicas: 2, labels: { app: 'nginx' }, container: 'nginx', serve: 'nginx', port: 8080 },
  { namespace: 'backend', name: 'backend', replicas: 2, labels: { app: 'backend' }, container: 'backend', serve: 'demo', port: 8080 },
  { namespace: 'backend', name: 'database', replicas: 1, labels: { app: 'database' }, container: 'postgres', serve: 'tcp', port: 5432 },
  { namespace: 'backend', name: 'payments', replicas: 2, labels: { app: 'payments' }, container: 'payments', serve: 'grpc', port: 9090 },
  // Only its endpoints matter (the dependency check reads them); nothing listens, so no real Redis port is taken.
  { namespace: 'backend', name: 'redis', replicas: 1, labels: { app: 'redis' }, container: 'redis', serve: 'none', port: 6379 },
  { namespace: 'proxy', name: 'squid-primary', replicas: 1, labels: { app: 'squid', role: 'primary' }, container: 'squid', serve: 'proxy', port: 3128 },
  { namespace: 'proxy', name: 'squid-secondary', replicas: 1, labels: { app: 'squid', role: 'secondary' }, container: 'squid', serve: 'proxy', port: 3128 },
];

const SERVICES = [
  { namespace: 'backend', name: 'database', selector: { app: 'database' }, port: 5432 },
  { namespace: 'backend', name: 'redis', selector: { app: 'redis' }, port: 6379 },
  { namespace: 'proxy', name: 'squid', selector: { app: 'squid', role: 'primary' }, port: 3128 },
] as const;

/** A proxy pod's server: a real Squid, or the stand-in when squid is not installed. */
export type PodProxy = SquidProxy | ForwardProxy;

/** A simulated pod as a person needs it to poke at it: where it is and what it is. */
export interface SimulatedPod {
  readonly namespace: string;
  readonly deployment: string;
  readonly name: string;
  /** ip:port of what the pod serves. */
  readonly address: string;
}

export interface SimulatedWorld {
  readonly sim: KubeSimulator;
  /** For the children's KUBECONFIG. */
  readonly kubeconfigPath: string;
  /** For check-egress' EXTRA_CA_FILE: the CA of https://example.com/. */
  readonly caFile: string;
  /** example.com, on plain HTTP (its requests list shows HTTPS ones too: TLS ends in front of it). */
  readonly site: ExternalSite;
  /** Real servers by pod name. */
  readonly apps: ReadonlyMap<string, DemoApp>;
  readonly tcp: ReadonlyMap<string, TcpListener>;
  readonly grpc: ReadonlyMap<string, GrpcHealthServer>;
  readonly proxies: ReadonlyMap<string, PodProxy>;
  /** True when the proxy pods run real Squids (squid is installed). */
  readonly realSquid: boolean;
  /** The second octet of the pods' addresses: 0 for 127.0.0.x, else the /16 taken because another simulator held that. */
  readonly addressBlock: number;
  /** Every pod of every simulated deployment, in the order of knative/rules.yaml's workloads, then by name. */
  allPods(): SimulatedPod[];
  /** Current pods of a deployment, by name order. */
  pods(namespace: string, deployment: string): V1PodLike[];
  /** Makes the demo app of `pods` pods of a deployment (default 1, or 'all') answer 500; returns their names. */
  failApp(namespace: string, deployment: string, opts?: { pods?: number | 'all' }): string[];
  recoverApp(namespace: string, deployment: string): string[];
  /** From now on, new pods of the deployment start failing too (a fault a restart does not cure), or stop doing so. */
  failNewPods(namespace: string, deployment: string, on: boolean): void;
  /** Closes (or reopens) the TCP port of every pod of a deployment. */
  pauseTcp(namespace: string, deployment: string): Promise<string[]>;
  resumeTcp(namespace: string, deployment: string): Promise<string[]>;
  /** What the gRPC health service of every pod of a deployment answers for the whole server. */
  setGrpcStatus(namespace: string, deployment: string, status: ServingStatus): string[];
  /** The proxy of the first pod of a Squid role. */
  proxyOf(role: 'primary' | 'secondary'): PodProxy | undefined;
  /** `squid -k shutdown` for the Squid of the first pod of a role, as by hand in its container; returns the pod's name. */
  shutdownSquid(role: 'primary' | 'secondary'): Promise<string>;
  /** Marks every pod behind a Service ready or not, so its EndpointSlice follows. */
  setServiceReady(namespace: string, service: string, ready: boolean): void;
  /** What any exec exits with in the pods of a deployment, overriding a real Squid's answer; unset by default
   *  (a Squid pod then runs the real `squid …`, other pods exit 0). */
  setExecExitCode(namespace: string, deployment: string, code: number): void;
  close(): Promise<void>;
}

function workloadOf(pod: V1PodLike): Workload | undefined {
  const labels = pod.metadata.labels ?? {};
  return WORKLOADS.find((w) => w.namespace === pod.metadata.namespace && Object.entries(w.labels).every(([k, v]) => labels[k] === v));
}

function findWorkload(namespace: string, name: string): Workload {
  const w = WORKLOADS.find((x) => x.namespace === namespace && x.name === name);
  if (!w) throw new Error(`no simulated deployment ${namespace}/${name} (there are ${WORKLOADS.map((x) => `${x.namespace}/${x.name}`).join(', ')})`);
  return w;
}

export async function startSimulatedWorld(opts: { logger: Logger }): Promise<SimulatedWorld> {
  const log = opts.logger;
  const apps = new Map<string, DemoApp>();
  const failingNew = new Set<string>();
  const tcp = new Map<string, TcpListener>();
  const grpc = new Map<string, GrpcHealthServer>();
  const proxies = new Map<string, PodProxy>();
  const squids = squidBinary() === undefined ? undefined : squidPods();
  if (squids === undefined) log.warn({ hint: SQUID_MISSING }, 'squid is not installed: the proxy pods run the forward-proxy stand-in instead of real Squids');
  const fronts = new Map<string, NginxFront>();
  const exitCodes = new Map<string, number>();
  const dir = await mkdtemp(join(tmpdir(), 'selfheal-stack-'));
  const site = await startExternalSite({ host: '127.0.0.1' });
  const tlsFront = await startTlsFront(site);
  const closeOutside = async () => {
    await Promise.all([site.close(), tlsFront.close()]);
    await rm(dir, { recursive: true, force: true });
  };
  // Like a Squid hosts file: example.com is the local site; 80 and 443 are its two local ports.
  const resolve = { 'example.com': { host: site.host, ports: { 80: site.port, 443: tlsFront.port } } };

  const simulator = startKubeSimulator({
    // Addresses no other simulator on the machine holds: a second stack, or the demo, runs beside this one.
    podAddresses: 'free',
    runtime: {
      async podStarted(pod) {
        const w = workloadOf(pod);
        const ip = pod.status.podIP;
        const name = pod.metadata.name;
        if (!w) return;
        switch (w.serve) {
          case 'nginx': {
            // The app on a port of its own, the pod's port in front of it (see nginx-front.ts).
            const app = await startDemoApp({ host: ip, port: 0 });
            apps.set(name, app);
            if (failingNew.has(`${w.namespace}/${w.name}`)) app.fail();
            fronts.set(name, await startNginxFront(ip, w.port, app));
            break;
          }
          case 'demo': {
            const app = await startDemoApp({ host: ip, port: w.port });
            if (failingNew.has(`${w.namespace}/${w.name}`)) app.fail();
            apps.set(name, app);
            break;
          }
          case 'tcp':
            tcp.set(name, await startTcpListener({ host: ip, port: w.port, holdMs: 100 }));
            break;
          case 'grpc':
            grpc.set(name, await startGrpcHealthServer({ host: ip, port: w.port }));
            break;
          case 'proxy':
            proxies.set(name, squids ? await squids.start(pod, { port: w.port, resolve }) : await startForwardProxy({ host: ip, port: w.port, resolve }));
            break;
          case 'none':
            break;
        }
        log.debug({ pod: `${pod.metadata.namespace}/${name}`, ip, serves: w.serve }, 'simulated pod started');
      },
      async podStopped(pod) {
        const name = pod.metadata.name;
        await Promise.all([fronts.get(name)?.close(), apps.get(name)?.close(), tcp.get(name)?.close(), grpc.get(name)?.close(), proxies.get(name)?.close(), squids?.stop(pod)]);
        fronts.delete(name);
        apps.delete(name);
        tcp.delete(name);
        grpc.delete(name);
        proxies.delete(name);
        log.info({ pod: `${pod.metadata.namespace}/${name}` }, 'simulated pod stopped');
      },
      async containersRestarted(pod) {
        const squid = await squids?.restart(pod);
        if (squid) proxies.set(pod.metadata.name, squid);
      },
      async exec(pod, container, command): Promise<ExecReply> {
        const w = workloadOf(pod);
        const set = w ? exitCodes.get(`${w.namespace}/${w.name}`) : undefined;
        const real = set === undefined ? squids?.exec(pod, command) : undefined;
        if (real !== undefined) {
          const reply = await real;
          log.debug({ pod: pod.metadata.name, container, command, reply }, 'squid exec');
          return reply;
        }
        const code = set ?? 0;
        log.debug({ pod: pod.metadata.name, container, command, exitCode: code }, 'simulated exec');
        return code === 0 ? { exitCode: 0 } : { exitCode: code, stderr: `${command.join(' ')}: FATAL: configuration check failed\n` };
      },
    },
  });
  const sim = await simulator.catch(async (error: unknown) => {
    await squids?.closeAll();
    await closeOutside();
    throw error;
  });
  try {
    for (const w of WORKLOADS) {
      await sim.createDeployment({
        namespace: w.namespace,
        name: w.name,
        replicas: w.replicas,
        labels: { ...w.labels },
        podLabels: { ...w.labels, ...OPT_IN },
        containers: [{ name: w.container, ports: [w.port] }],
      });
    }
    for (const s of SERVICES) sim.createService({ namespace: s.namespace, name: s.name, selector: { ...s.selector }, ports: [{ port: s.port, targetPort: s.port }] });
    await sim.settle();
    await writeFile(join(dir, 'kubeconfig.yaml'), sim.kubeconfigYaml());
  } catch (error) {
    await sim.close();
    await squids?.closeAll();
    await closeOutside();
    throw error;
  }
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  log.info({ api: sim.url, pods: WORKLOADS.reduce((n, w) => n + w.replicas, 0), site: site.url, https: tlsFront.port }, 'simulated cluster ready');

  const pods = (namespace: string, deployment: string): V1PodLike[] => {
    const w = findWorkload(namespace, deployment);
    return sim.listPods(namespace, w.labels).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  };
  const appsOf = (namespace: string, deployment: string): Array<[string, DemoApp]> =>
    pods(namespace, deployment).flatMap((p) => {
      const app = apps.get(p.metadata.name);
      return app ? [[p.metadata.name, app] as [string, DemoApp]] : [];
    });
  const listenersOf = (namespace: string, deployment: string): Array<[string, TcpListener]> =>
    pods(namespace, deployment).flatMap((p) => {
      const l = tcp.get(p.metadata.name);
      return l ? [[p.metadata.name, l] as [string, TcpListener]] : [];
    });

  let closed: Promise<void> | undefined;
  return {
    sim,
    kubeconfigPath,
    caFile: EXAMPLE_COM_CERT_PATH,
    site,
    apps,
    tcp,
    grpc,
    proxies,
    realSquid: squids !== undefined,
    pods,
    addressBlock: Number(sim.listPods('web')[0]?.status.podIP?.split('.')[1] ?? 0),
    allPods() {
      return WORKLOADS.flatMap((w) =>
        pods(w.namespace, w.name).map((p) => ({ namespace: w.namespace, deployment: w.name, name: p.metadata.name, address: `${p.status.podIP ?? ''}:${w.port}` })),
      );
    },
    failApp(namespace, deployment, o = {}) {
      const all = appsOf(namespace, deployment);
      const chosen = o.pods === 'all' ? all : all.slice(0, o.pods ?? 1);
      for (const [, app] of chosen) app.fail();
      return chosen.map(([name]) => name);
    },
    failNewPods(namespace, deployment, on) {
      findWorkload(namespace, deployment);
      if (on) failingNew.add(`${namespace}/${deployment}`);
      else failingNew.delete(`${namespace}/${deployment}`);
    },
    recoverApp(namespace, deployment) {
      const all = appsOf(namespace, deployment);
      for (const [, app] of all) app.recover();
      return all.map(([name]) => name);
    },
    async pauseTcp(namespace, deployment) {
      const all = listenersOf(namespace, deployment);
      await Promise.all(all.map(([, l]) => l.pause()));
      return all.map(([name]) => name);
    },
    async resumeTcp(namespace, deployment) {
      const all = listenersOf(namespace, deployment);
      await Promise.all(all.map(([, l]) => l.resume()));
      return all.map(([name]) => name);
    },
    setGrpcStatus(namespace, deployment, status) {
      const served = pods(namespace, deployment).flatMap((p) => (grpc.has(p.metadata.name) ? [p.metadata.name] : []));
      for (const name of served) grpc.get(name)!.setStatus('', status);
      return served;
    },
    proxyOf(role) {
      const pod = pods('proxy', `squid-${role}`)[0];
      return pod ? proxies.get(pod.metadata.name) : undefined;
    },
    async shutdownSquid(role) {
      const pod = pods('proxy', `squid-${role}`)[0];
      const squid = pod ? squids?.byPod.get(pod.metadata.name) : undefined;
      if (!pod || !squid) throw new Error(squids ? `no running ${role} proxy pod with a Squid` : SQUID_MISSING);
      await squid.shutdown();
      return pod.metadata.name;
    },
    setServiceReady(namespace, service, ready) {
      const s = SERVICES.find((x) => x.namespace === namespace && x.name === service);
      if (!s) throw new Error(`no simulated Service ${namespace}/${service}`);
      for (const p of sim.listPods(namespace, { ...s.selector })) sim.setPodReady(namespace, p.metadata.name, ready);
    },
    setExecExitCode(namespace, deployment, code) {
      findWorkload(namespace, deployment);
      exitCodes.set(`${namespace}/${deployment}`, code);
    },
    close() {
      closed ??= (async () => {
        await sim.close();
        await squids?.closeAll();
        await closeOutside();
      })();
      return closed;
    },
  };
}
