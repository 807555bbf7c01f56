// The check functions' lab: the Kubernetes API simulator whose pods are real loopback servers (demo app, TCP port,
// gRPC health, a real Squid per proxy pod), an external site behind the proxies, a recording sink, and a way to start a
// check function on it. Proxy pods need `squid` (apt-get install squid); exec of `squid …` in one runs the real squid.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFunctionParts, lazy } from '../../shared/checks/wiring.ts';
import type { CheckOverrides } from '../../shared/checks/wiring.ts';
import { checkEnvSchema, parseEnv } from '../../shared/config/env.ts';
import type { CheckFunctionName } from '../../shared/kinds/kind.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { parseRules } from '../../shared/rules/load.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import type { ExecReply, KubeSimulator, V1PodLike } from '../../shared/dev/kube-sim/index.ts';
import { EventType } from '../../shared/events/types.ts';
import { postBinary } from './http.ts';
import { startSink } from './sink.ts';
import type { Sink } from './sink.ts';
import { requireSquid, startDemoApp, startExternalSite, startGrpcHealthServer, startTcpListener } from '../../shared/dev/targets/index.ts';
import type { DemoApp, ExternalSite, GrpcHealthServer, SquidProxy, TcpListener } from '../../shared/dev/targets/index.ts';
import { squidPods } from '../../shared/dev/targets/squid-pods.ts';

/** Pod label telling the lab which real server a pod runs. */
export const SERVE_LABEL = 'lab-serve';
export type Serve = 'demo' | 'tcp' | 'grpc' | 'proxy' | 'none';
export const PORTS = { demo: 8080, tcp: 5432, grpc: 9090, proxy: 3128 } as const;

export type ExecHandler = (pod: V1PodLike, container: string, command: string[]) => ExecReply | Promise<ExecReply>;

export interface Lab {
  sim: KubeSimulator;
  sink: Sink;
  /** The outside world: plain HTTP and HTTPS (its certificate covers 127.0.0.1). */
  site: ExternalSite;
  tlsSite: ExternalSite;
  /** Real servers by pod name. */
  apps: Map<string, DemoApp>;
  tcp: Map<string, TcpListener>;
  /** gRPC health servers, plaintext, the whole server SERVING until a test says otherwise. */
  grpc: Map<string, GrpcHealthServer>;
  /** Real Squids by pod name. */
  proxies: ReadonlyMap<string, SquidProxy>;
  /** What exec answers; tests replace it. By default `squid …` in a proxy pod runs the real squid, anything else exits 0. */
  exec: ExecHandler;
  kube: () => Promise<KubeClients>;
  deploy(namespace: string, name: string, replicas: number, serve: Serve, labels: Record<string, string>, containers?: string[]): Promise<V1PodLike[]>;
  /** Starts a check function in-process on the lab, with these rules (objects as in the rules file). */
  start(fn: CheckFunctionName, rules: unknown[], env?: Record<string, string>, overrides?: CheckOverrides): Promise<RunningFunction>;
  /** Writes the rules and the simulator's kubeconfig to files, for a function started as a process. */
  files(rules: unknown[]): Promise<{ rulesFile: string; kubeconfig: string }>;
  close(): Promise<void>;
}

export async function startLab(): Promise<Lab> {
  const apps = new Map<string, DemoApp>();
  const tcp = new Map<string, TcpListener>();
  const grpc = new Map<string, GrpcHealthServer>();
  const squids = squidPods();
  const site = await startExternalSite({ host: '127.0.0.1' });
  const tlsSite = await startExternalSite({ host: '127.0.0.1', tls: true });
  const lab = { exec: ((pod, _container, command) => squids.exec(pod, command) ?? { exitCode: 0 }) as ExecHandler };
  const sim = await startKubeSimulator({
    runtime: {
      async podStarted(pod) {
        const ip = pod.status.podIP;
        const name = pod.metadata.name;
        switch (pod.metadata.labels?.[SERVE_LABEL] as Serve | undefined) {
          case 'demo':
            apps.set(name, await startDemoApp({ host: ip, port: PORTS.demo }));
            break;
          case 'tcp':
            tcp.set(name, await startTcpListener({ host: ip, port: PORTS.tcp, holdMs: 100 }));
            break;
          case 'grpc':
            grpc.set(name, await startGrpcHealthServer({ host: ip, port: PORTS.grpc }));
            break;
          case 'proxy':
            requireSquid();
            await squids.start(pod, { port: PORTS.proxy, allowConnectPorts: [tlsSite.port] });
            break;
        }
      },
      async podStopped(pod) {
        const name = pod.metadata.name;
        await Promise.all([apps.get(name)?.close(), tcp.get(name)?.close(), grpc.get(name)?.close(), squids.stop(pod)]);
        apps.delete(name);
        tcp.delete(name);
        grpc.delete(name);
      },
      containersRestarted: async (pod) => void (await squids.restart(pod)),
      exec: (pod, container, command) => lab.exec(pod, container, command),
    },
  });
  const sink = await startSink();
  const kube = lazy(() => createKubeClients({ config: sim.kubeConfig(), timeoutMs: 5_000 }));
  const running: RunningFunction[] = [];
  let dir: string | undefined;

  return Object.assign(lab, {
    sim,
    sink,
    site,
    tlsSite,
    apps,
    tcp,
    grpc,
    proxies: squids.byPod,
    kube,
    async deploy(namespace: string, name: string, replicas: number, serve: Serve, labels: Record<string, string>, containers?: string[]) {
      const podLabels = { ...labels, [SERVE_LABEL]: serve };
      await sim.createDeployment({ namespace, name, replicas, podLabels, ...(containers ? { containers: containers.map((c) => ({ name: c })) } : {}) });
      return sim.listPods(namespace, podLabels);
    },
    async start(fnName: CheckFunctionName, rules: unknown[], env: Record<string, string> = {}, overrides: CheckOverrides = {}) {
      const parsedEnv = parseEnv(checkEnvSchema, { PORT: '0', HOST: '127.0.0.1', K_SINK: sink.url, SINK_RETRIES: '1', ...env });
      const logger = createLogger({ name: 'lab', level: process.env.LAB_LOG_LEVEL ?? 'silent' });
      const fn = await startFunction<typeof checkEnvSchema>({
        name: 'lab',
        env: parsedEnv,
        logger,
        setup: (e, log, metrics) => checkFunctionParts(fnName, e, log, { rules: parseRules({ rules }, 'lab rules'), kube, metrics, ...overrides }),
      });
      running.push(fn);
      return fn;
    },
    async files(rules: unknown[]) {
      dir ??= await mkdtemp(join(tmpdir(), 'selfheal-lab-'));
      const rulesFile = join(dir, `rules-${running.length}-${Date.now()}.json`);
      const kubeconfig = join(dir, 'kubeconfig.yaml');
      // JSON is YAML, so the rules loader reads it as it is.
      await writeFile(rulesFile, JSON.stringify({ rules }));
      await writeFile(kubeconfig, sim.kubeconfigYaml());
      return { rulesFile, kubeconfig };
    },
    async close() {
      await Promise.all(running.map((fn) => fn.stop()));
      await sim.close();
      await squids.closeAll();
      await Promise.all([sink.close(), site.close(), tlsSite.close()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  });
}

/** The data of the events the sink got, for one rule. */
export function resultsOf(sink: Sink, rule: string): Array<{ type: string; subject: string | undefined; source: string; data: Record<string, unknown> }> {
  return sink.events
    .filter((e) => (e.data as { rule?: string } | undefined)?.rule === rule)
    .map((e) => ({ type: e.type, subject: e.subject, source: e.source, data: e.data as Record<string, unknown> }));
}

/** Pings a check function for one rule, as its PingSource would; the run must be accepted with an empty 202. */
export async function runRule(lab: Lab, fn: RunningFunction, rule: string): Promise<ReturnType<typeof resultsOf>> {
  lab.sink.clear();
  const res = await postBinary(fn.url, { id: `run-${rule}-${randomUUID()}`, type: EventType.ping, source: '/apis/v1/namespaces/selfheal/pingsources/lab' }, { rules: [rule] });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.text, '');
  return resultsOf(lab.sink, rule);
}

/** The backend the dependency rules look at: database (2 pods) and redis (1 pod), each behind its Service. */
export async function deployBackend(lab: Lab): Promise<void> {
  await lab.deploy('backend', 'database', 2, 'none', { app: 'database' });
  await lab.deploy('backend', 'redis', 1, 'none', { app: 'redis' });
  lab.sim.createService({ namespace: 'backend', name: 'database', selector: { app: 'database' }, ports: [{ port: 5432 }] });
  lab.sim.createService({ namespace: 'backend', name: 'redis', selector: { app: 'redis' }, ports: [{ port: 6379 }] });
  await lab.sim.settle();
}

/** The two proxy roles of the egress rules, by selector, on the lab's proxy port. */
export const LAB_PROXIES = {
  primary: { selector: { app: 'squid', role: 'primary' }, port: PORTS.proxy },
  secondary: { selector: { app: 'squid', role: 'secondary' }, port: PORTS.proxy },
};
