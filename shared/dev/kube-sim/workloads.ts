// Deployment and ReplicaSet controllers: keep one ReplicaSet per template and the right number of pods, replacing lost ones.
import type { AddressAllocator } from './addresses.ts';
import { randomSuffix, templateHash } from './naming.ts';
import { buildPod, controllerOf, isPodReady, setReadiness } from './pod-factory.ts';
import { deploymentStatus, replicaSetStatus } from './statuses.ts';
import type { Store } from './store.ts';
import { isPromiseLike, type Tasks } from './tasks.ts';
import type { PodRuntime } from './types.ts';
import type { DeploymentObject, ReplicaSetObject, V1PodLike } from './wire-types.ts';

interface ReplicaSetState {
  // pods whose runtime.podStarted has not resolved yet
  starting: number;
  // replacements waiting out recreateDelayMs
  deferred: Set<symbol>;
}

export interface WorkloadDeps {
  store: Store;
  addresses: AddressAllocator;
  runtime: PodRuntime;
  tasks: Tasks;
  recreateDelayMs: number;
  // asks the cluster to run every controller again after an asynchronous change
  changed: () => void;
  // false once the simulator is closing: late pod starts are stopped instead of admitted
  active: () => boolean;
}

const REVISION = 'deployment.kubernetes.io/revision';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Workloads {
  private readonly deps: WorkloadDeps;
  private readonly states = new Map<string, ReplicaSetState>();
  private readonly reservedNames = new Set<string>();

  constructor(deps: WorkloadDeps) {
    this.deps = deps;
  }

  private state(rs: ReplicaSetObject): ReplicaSetState {
    let s = this.states.get(rs.metadata.uid);
    if (!s) {
      s = { starting: 0, deferred: new Set() };
      this.states.set(rs.metadata.uid, s);
    }
    return s;
  }

  podsOf(rs: ReplicaSetObject): V1PodLike[] {
    return this.deps.store.list('Pod', rs.metadata.namespace, (p) => controllerOf(p)?.uid === rs.metadata.uid);
  }

  replicaSetsOf(d: DeploymentObject): ReplicaSetObject[] {
    return this.deps.store.list('ReplicaSet', d.metadata.namespace, (rs) => controllerOf(rs)?.uid === d.metadata.uid);
  }

  // The ReplicaSet whose pod-template-hash matches the deployment's current template.
  currentReplicaSet(d: DeploymentObject): ReplicaSetObject | undefined {
    const name = `${d.metadata.name}-${templateHash(d.spec.template)}`;
    return this.replicaSetsOf(d).find((rs) => rs.metadata.name === name);
  }

  reconcileDeployment(d: DeploymentObject): void {
    const { store } = this.deps;
    const hash = templateHash(d.spec.template);
    const owned = this.replicaSetsOf(d);
    let current = owned.find((rs) => rs.metadata.name === `${d.metadata.name}-${hash}`);
    if (!current && d.spec.paused && owned.length > 0) {
      // A paused Deployment keeps scaling its newest ReplicaSet and rolls no new template out until resumed.
      current = owned.reduce((a, b) => (Number(b.metadata.annotations?.[REVISION] ?? 0) > Number(a.metadata.annotations?.[REVISION] ?? 0) ? b : a));
    }
    if (!current) {
      const revision = owned.length === 0 ? 1 : Math.max(...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0))) + 1;
      const labels = { ...d.spec.template.metadata.labels, 'pod-template-hash': hash };
      const template = structuredClone(d.spec.template);
      template.metadata.labels = labels;
      current = store.put('ReplicaSet', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: d.metadata.namespace ?? 'default',
          uid: '',
          resourceVersion: '',
          creationTimestamp: '',
          generation: 1,
          labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
            'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + Math.ceil(d.spec.replicas * 0.25)),
            [REVISION]: String(revision),
          },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true },
          ],
        },
        spec: {
          replicas: d.spec.replicas,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
          template,
        },
        status: { replicas: 0 },
      });
      d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: String(revision) };
      store.put('Deployment', d);
    }
    // Rollouts are instantaneous: the new ReplicaSet takes all replicas and older ones drop to zero at once.
    for (const rs of owned) {
      const want = rs === current ? d.spec.replicas : 0;
      if (rs.spec.replicas !== want) {
        rs.spec.replicas = want;
        rs.metadata.generation = (rs.metadata.generation ?? 1) + 1;
        if (rs === current) rs.metadata.annotations = { ...rs.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': String(want) };
        store.put('ReplicaSet', rs);
      }
    }
  }

  reconcileReplicaSet(rs: ReplicaSetObject): void {
    const st = this.state(rs);
    const live = this.podsOf(rs);
    const want = rs.spec.replicas;
    const have = live.length + st.starting + st.deferred.size;
    if (have < want) {
      for (let i = have; i < want; i++) this.startPod(rs, st);
      return;
    }
    let surplus = have - want;
    for (const token of [...st.deferred]) {
      if (surplus === 0) break;
      st.deferred.delete(token);
      surplus--;
    }
    const excess = live.length - want;
    if (excess > 0) {
      // The ReplicaSet controller removes not-ready pods first, then the newest.
      const ranked = [...live].sort((a, b) => {
        const readiness = Number(isPodReady(a)) - Number(isPodReady(b));
        return readiness !== 0 ? readiness : this.deps.store.creationOrder(b) - this.deps.store.creationOrder(a);
      });
      for (const pod of ranked.slice(0, excess)) this.removePod(pod, false);
    }
  }

  updateStatuses(): void {
    const { store } = this.deps;
    const podsByRs = new Map<string, V1PodLike[]>();
    // One listing grouped by owner, not one per ReplicaSet: hundreds of Deployments stay cheap to settle.
    const byOwner = new Map<string, V1PodLike[]>();
    for (const pod of store.list('Pod')) {
      const uid = controllerOf(pod)?.uid;
      if (uid === undefined) continue;
      let group = byOwner.get(uid);
      if (!group) byOwner.set(uid, (group = []));
      group.push(pod);
    }
    for (const rs of store.list('ReplicaSet')) {
      const pods = (byOwner.get(rs.metadata.uid) ?? []).filter((p) => p.metadata.namespace === rs.metadata.namespace);
      podsByRs.set(rs.metadata.uid, pods);
      const status = replicaSetStatus(rs, pods);
      if (!sameJson(status, rs.status)) {
        rs.status = status;
        store.put('ReplicaSet', rs);
      }
    }
    for (const d of store.list('Deployment')) {
      const mine = new Map(this.replicaSetsOf(d).map((rs) => [rs.metadata.uid, podsByRs.get(rs.metadata.uid) ?? []]));
      const status = deploymentStatus(d, this.currentReplicaSet(d), mine);
      if (!sameJson(status, d.status)) {
        d.status = status;
        store.put('Deployment', d);
      }
    }
  }

  private uniquePodName(rs: ReplicaSetObject): string {
    for (;;) {
      const name = `${rs.metadata.name}-${randomSuffix(5)}`;
      if (!this.reservedNames.has(name) && !this.deps.store.get('Pod', rs.metadata.namespace, name)) {
        this.reservedNames.add(name);
        return name;
      }
    }
  }

  private startPod(rs: ReplicaSetObject, st: ReplicaSetState): void {
    const { runtime, tasks, addresses } = this.deps;
    const pod = buildPod(rs, this.uniquePodName(rs), addresses.allocate());
    st.starting++;
    let started: unknown;
    try {
      started = runtime.podStarted?.(structuredClone(pod));
    } catch (err) {
      started = Promise.reject(err);
    }
    if (isPromiseLike(started)) {
      tasks.track(
        Promise.resolve(started).then(
          () => this.admit(rs, st, pod, true),
          (err: unknown) => {
            this.admit(rs, st, pod, false);
            throw err;
          },
        ),
      );
    } else {
      this.admit(rs, st, pod, true);
    }
  }

  // A started pod enters the API only if its ReplicaSet still wants it (it may have been scaled down meanwhile).
  private admit(rs: ReplicaSetObject, st: ReplicaSetState, pod: V1PodLike, healthy: boolean): void {
    const { store, runtime, tasks } = this.deps;
    st.starting--;
    this.reservedNames.delete(pod.metadata.name);
    const now = store.get('ReplicaSet', rs.metadata.namespace, rs.metadata.name);
    if (!this.deps.active() || !now || now.metadata.uid !== rs.metadata.uid || this.deps.store.count('Pod', now.metadata.namespace ?? '', (p) => controllerOf(p)?.uid === now.metadata.uid) >= now.spec.replicas) {
      const stopped = runtime.podStopped?.(structuredClone(pod));
      if (isPromiseLike(stopped)) tasks.track(Promise.resolve(stopped));
      this.deps.changed();
      return;
    }
    if (!healthy) setReadiness(pod, false);
    store.put('Pod', pod);
    this.deps.changed();
  }

  // Removes a pod from the API; `replace` is true when something other than the ReplicaSet itself took it away.
  removePod(pod: V1PodLike, replace: boolean): V1PodLike {
    const { store, runtime, tasks, recreateDelayMs } = this.deps;
    const removed = store.remove('Pod', pod.metadata.namespace, pod.metadata.name) ?? pod;
    const owner = controllerOf(removed);
    if (replace && owner && recreateDelayMs > 0) {
      const rs = store.list('ReplicaSet', removed.metadata.namespace).find((r) => r.metadata.uid === owner.uid);
      if (rs) {
        const st = this.state(rs);
        const token = Symbol('deferred replacement');
        st.deferred.add(token);
        tasks.later(recreateDelayMs, () => {
          st.deferred.delete(token);
          this.deps.changed();
        });
      }
    }
    const stopped = (async () => runtime.podStopped?.(structuredClone(removed)))();
    tasks.track(stopped);
    return removed;
  }

  forget(rs: ReplicaSetObject): void {
    this.states.delete(rs.metadata.uid);
  }
}
