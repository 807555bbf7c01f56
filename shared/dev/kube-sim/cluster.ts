// The simulated cluster: the store plus every controller, run to a fixed point after each write.
import { LoopbackAllocator } from './addresses.ts';
import type { AddressAllocator } from './addresses.ts';
import { newHpa, reconcileHpas } from './autoscaling.ts';
import { checkEviction, parseIntOrPercent, pdbStatus } from './disruption.ts';
import { reconcileEndpointSlices } from './endpointslices.ts';
import { setReadiness } from './pod-factory.ts';
import { Store, timestamp } from './store.ts';
import { Tasks } from './tasks.ts';
import type { DeploymentSpec, HpaSpec, PdbSpec, PodRuntime, ServiceSpec } from './types.ts';
import type { DeploymentObject, NamespaceObject, ServiceObject, V1PodLike } from './wire-types.ts';
import { Workloads } from './workloads.ts';

export class Cluster {
  readonly store = new Store();
  readonly tasks = new Tasks();
  readonly runtime: PodRuntime;
  private readonly workloads: Workloads;
  private reconciling = false;
  private dirty = false;
  private clusterIPs = 10;
  private closed = false;

  constructor(runtime: PodRuntime, recreateDelayMs: number, addresses: AddressAllocator = new LoopbackAllocator(2)) {
    this.runtime = runtime;
    this.workloads = new Workloads({
      store: this.store,
      addresses,
      runtime,
      tasks: this.tasks,
      recreateDelayMs,
      changed: () => this.reconcile(),
      active: () => !this.closed,
    });
    this.createNamespace('default');
  }

  // Runs the controllers until nothing changes; re-entrant calls (from synchronous pod starts) just mark more work.
  reconcile(): void {
    if (this.closed) return;
    if (this.reconciling) {
      this.dirty = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.dirty = false;
        for (const d of this.store.list('Deployment')) this.workloads.reconcileDeployment(d);
        for (const rs of this.store.list('ReplicaSet')) this.workloads.reconcileReplicaSet(rs);
        this.workloads.updateStatuses();
        // After the statuses, so an HPA reports the replicas as they are; a rescale runs the controllers again.
        if (reconcileHpas(this.store)) this.dirty = true;
        reconcileEndpointSlices(this.store);
        for (const pdb of this.store.list('PodDisruptionBudget')) {
          const status = pdbStatus(this.store, pdb);
          if (JSON.stringify(status) !== JSON.stringify(pdb.status)) {
            pdb.status = status;
            this.store.put('PodDisruptionBudget', pdb);
          }
        }
      } while (this.dirty);
    } finally {
      this.reconciling = false;
    }
  }

  createNamespace(name: string): void {
    if (this.store.get('Namespace', undefined, name)) return;
    const ns: NamespaceObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: '', resourceVersion: '', creationTimestamp: '', labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    this.store.put('Namespace', ns);
  }

  async createDeployment(spec: DeploymentSpec): Promise<void> {
    this.createNamespace(spec.namespace);
    if (this.store.get('Deployment', spec.namespace, spec.name)) throw new Error(`kube-sim: deployment ${spec.namespace}/${spec.name} exists`);
    const containers = (spec.containers ?? [{ name: 'app' }]).map((c) => ({
      name: c.name,
      image: `kube-sim.local/${c.name}:latest`,
      ...(c.ports && c.ports.length > 0 ? { ports: c.ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) } : {}),
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'Always',
    }));
    const d: DeploymentObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: spec.name,
        namespace: spec.namespace,
        uid: '',
        resourceVersion: '',
        creationTimestamp: '',
        generation: 1,
        labels: spec.labels ?? { ...spec.podLabels },
      },
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: { ...spec.podLabels } },
        template: {
          metadata: { labels: { ...spec.podLabels }, creationTimestamp: null },
          spec: {
            containers,
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            securityContext: {},
            schedulerName: 'default-scheduler',
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    };
    this.store.put('Deployment', d);
    this.reconcile();
    await this.tasks.settle();
  }

  createService(spec: ServiceSpec): void {
    this.createNamespace(spec.namespace);
    const ip = `10.96.${Math.floor(this.clusterIPs / 250)}.${(this.clusterIPs % 250) + 1}`;
    this.clusterIPs++;
    const svc: ServiceObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: spec.name, namespace: spec.namespace, uid: '', resourceVersion: '', creationTimestamp: '' },
      spec: {
        selector: { ...spec.selector },
        ports: spec.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: 'TCP', port: p.port, targetPort: p.targetPort ?? p.port })),
        clusterIP: ip,
        clusterIPs: [ip],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    };
    this.store.put('Service', svc);
    this.reconcile();
  }

  createPdb(spec: PdbSpec): void {
    this.createNamespace(spec.namespace);
    if ((spec.minAvailable === undefined) === (spec.maxUnavailable === undefined)) {
      throw new Error('kube-sim: a PodDisruptionBudget needs exactly one of minAvailable and maxUnavailable');
    }
    if (spec.minAvailable !== undefined) parseIntOrPercent(spec.minAvailable, 'minAvailable');
    if (spec.maxUnavailable !== undefined) parseIntOrPercent(spec.maxUnavailable, 'maxUnavailable');
    this.store.put('PodDisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: spec.name, namespace: spec.namespace, uid: '', resourceVersion: '', creationTimestamp: '', generation: 1 },
      spec: {
        selector: { matchLabels: { ...spec.selector } },
        ...(spec.minAvailable !== undefined ? { minAvailable: spec.minAvailable } : {}),
        ...(spec.maxUnavailable !== undefined ? { maxUnavailable: spec.maxUnavailable } : {}),
      },
      status: { observedGeneration: 0, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
    this.reconcile();
  }

  createHpa(spec: HpaSpec): void {
    this.createNamespace(spec.namespace);
    if (this.store.get('HorizontalPodAutoscaler', spec.namespace, spec.name)) throw new Error(`kube-sim: HPA ${spec.namespace}/${spec.name} exists`);
    this.store.put('HorizontalPodAutoscaler', newHpa(spec));
    this.reconcile();
  }

  deletePdb(namespace: string, name: string): void {
    this.store.remove('PodDisruptionBudget', namespace, name);
    this.reconcile();
  }

  setPodReady(namespace: string, name: string, ready: boolean): void {
    const pod = this.store.get('Pod', namespace, name);
    if (!pod) throw new Error(`kube-sim: no pod ${namespace}/${name}`);
    if (setReadiness(pod, ready)) {
      this.store.put('Pod', pod);
      this.reconcile();
    }
  }

  /** A container still in its startup probe (started false), or done with it; as the kubelet reports it. */
  setContainersStarted(namespace: string, name: string, started: boolean): void {
    const pod = this.store.get('Pod', namespace, name);
    if (!pod) throw new Error(`kube-sim: no pod ${namespace}/${name}`);
    for (const cs of pod.status.containerStatuses) cs.started = started;
    this.store.put('Pod', pod);
  }

  /** The kubelet restarted the pod's containers in place (a failed liveness probe): restartCount goes up. */
  restartContainers(namespace: string, name: string): void {
    const pod = this.store.get('Pod', namespace, name);
    if (!pod) throw new Error(`kube-sim: no pod ${namespace}/${name}`);
    for (const cs of pod.status.containerStatuses) cs.restartCount += 1;
    this.store.put('Pod', pod);
    this.tasks.track((async () => this.runtime.containersRestarted?.(structuredClone(pod)))());
  }

  // DELETE of a pod: the answer is the pod as it was at deletion, marked with its deletion time and grace period.
  deletePod(pod: V1PodLike, gracePeriodSeconds: number): V1PodLike {
    const removed = this.workloads.removePod(pod, true);
    removed.metadata.deletionTimestamp = timestamp(new Date(Date.now() + gracePeriodSeconds * 1000));
    removed.metadata.deletionGracePeriodSeconds = gracePeriodSeconds;
    this.reconcile();
    return removed;
  }

  evictPod(pod: V1PodLike, beforeDelete: () => void = () => {}): void {
    checkEviction(this.store, pod);
    beforeDelete();
    this.deletePod(pod, pod.spec.terminationGracePeriodSeconds);
  }

  // Called after a spec write to a Deployment or Service that routes validated.
  committed(): void {
    this.reconcile();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tasks.cancelTimers();
    const live = this.store.list('Pod');
    for (const pod of live) {
      this.store.remove('Pod', pod.metadata.namespace, pod.metadata.name);
      this.tasks.track((async () => this.runtime.podStopped?.(structuredClone(pod)))());
    }
    try {
      await this.tasks.settle();
    } catch {
      // Shutting down: callback failures were already reported by settle() calls or are moot now.
    }
  }
}
