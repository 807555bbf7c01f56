// Public types of the simulator's programmatic interface (what tests and other helpers code against).
import type { KubeConfig } from '@kubernetes/client-node';
import type { V1PodLike } from './wire-types.ts';

export type { V1PodLike };

export type ExecReply = { exitCode: number; stdout?: string; stderr?: string } | { hang: true };

export interface PodRuntime {
  // called when a pod is created (also on re-creation), so the test can start real servers on pod.status.podIP
  podStarted?(pod: V1PodLike): void | Promise<void>;
  // called after a pod is deleted or evicted
  podStopped?(pod: V1PodLike): void | Promise<void>;
  // called after restartContainers (the kubelet restarting the containers in place): the pod keeps its name and
  // address, its processes start afresh; settle() waits for it
  containersRestarted?(pod: V1PodLike): void | Promise<void>;
  // answers exec; default: exit 0 with empty output
  exec?(pod: V1PodLike, container: string, command: string[]): ExecReply | Promise<ExecReply>;
}

export interface SimulatorOptions {
  runtime?: PodRuntime;
  // delay before a ReplicaSet replaces a deleted/evicted pod; 0 (default) replaces it at once
  recreateDelayMs?: number;
  // loopback address to listen on (default 127.0.0.1)
  host?: string;
  /** Pod addresses from 127.0.0.2 upwards ('fixed'), from 127.0.0.2 unless another simulator holds that block, else
   *  a random free 127.x.0.2 ('free': what the local stack uses, so stacks run side by side), from a random free
   *  127.x.0.2 (default 'spread': test runs side by side never share an address), or these addresses in turn
   *  ({ pool }: a few servers stand for thousands of pods, as benchmarks need). See addresses.ts. */
  podAddresses?: 'fixed' | 'free' | 'spread' | { pool: string[] };
}

export interface DeploymentSpec {
  namespace: string;
  name: string;
  replicas: number;
  labels?: Record<string, string>;
  podLabels: Record<string, string>;
  containers?: Array<{ name: string; ports?: number[] }>;
}

export interface ServiceSpec {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  ports: Array<{ name?: string; port: number; targetPort?: number }>;
}

export interface PdbSpec {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

export interface HpaSpec {
  namespace: string;
  name: string;
  /** The Deployment it scales. */
  target: string;
  minReplicas?: number;
  maxReplicas: number;
  /** E.g. a KEDA ScaledObject's; each is made the controller reference. */
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid?: string }>;
}

export interface RequestRecord {
  method: string;
  // URL path without the query string
  path: string;
  // the raw query string without '?', '' when absent
  query: string;
  contentType?: string;
  status: number;
}

export interface KubeSimulator {
  url: string;
  kubeConfig(): KubeConfig;
  kubeconfigYaml(): string;
  createNamespace(name: string): void;
  // resolves once its pods exist and runtime.podStarted resolved for each
  createDeployment(spec: DeploymentSpec): Promise<void>;
  createService(spec: ServiceSpec): void;
  createPdb(spec: PdbSpec): void;
  deletePdb(namespace: string, name: string): void;
  // an autoscaling/v2 HorizontalPodAutoscaler of a Deployment; the simulator holds the Deployment within its bounds
  createHpa(spec: HpaSpec): void;
  getHpa(namespace: string, name: string): object | undefined;
  listPods(namespace: string, selector?: Record<string, string>): V1PodLike[];
  getPod(namespace: string, name: string): V1PodLike | undefined;
  setPodReady(namespace: string, name: string, ready: boolean): void;
  /** Containers still in their startup probe (started: false), or past it. */
  setContainersStarted(namespace: string, name: string, started: boolean): void;
  /** The kubelet restarted the pod's containers in place: each restartCount goes up by one. */
  restartContainers(namespace: string, name: string): void;
  getService(namespace: string, name: string): object | undefined;
  getDeployment(namespace: string, name: string): object | undefined;
  // log of API calls, for tests asserting what was called
  requests: RequestRecord[];
  /** From now on, answer 403 Forbidden to requests with this method whose path matches (RBAC without the verb). */
  forbid(method: string, path: RegExp): void;
  /** Forgets every forbid(). */
  allowAll(): void;
  /** The next `times` requests (default: all) with this method whose path matches meet the fault. */
  inject(method: string, path: RegExp, fault: import('./http-server.ts').Fault, times?: number): void;
  /** Forgets every inject(). */
  clearFaults(): void;
  /** While on, exec upgrades are accepted and never answered, as by a kubelet stuck on the pod. */
  stallExec(on: boolean): void;
  /** Stalled exec connections the client has not closed yet. */
  stalledExecSockets(): number;
  // resolves when pending re-creations and runtime callbacks are done; rejects with runtime callback errors
  settle(): Promise<void>;
  // stops the server and calls podStopped for live pods
  close(): Promise<void>;
}
