// PodDisruptionBudget arithmetic (disruption controller) and the eviction admission check built on it.
import { controllerOf, isPodReady } from './pod-factory.ts';
import { selectorMatches } from './selectors.ts';
import { internalError, tooManyRequests } from './status.ts';
import { timestamp, type Store } from './store.ts';
import type { PdbObject, V1PodLike } from './wire-types.ts';

export function parseIntOrPercent(value: number | string, field: string): { percent: boolean; n: number } {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { percent: false, n: value };
  if (typeof value === 'string' && /^\d+%$/.test(value)) return { percent: true, n: Number(value.slice(0, -1)) };
  throw new Error(`kube-sim: ${field} must be a non-negative integer or a percentage, got ${JSON.stringify(value)}`);
}

// GetScaledValueFromIntOrPercent with roundUp=true, as the disruption controller calls it.
function scaled(value: number | string, total: number, field: string): number {
  const v = parseIntOrPercent(value, field);
  return v.percent ? Math.ceil((v.n * total) / 100) : v.n;
}

function podsCovered(pdb: PdbObject, pods: V1PodLike[]): V1PodLike[] {
  return pods.filter((p) => !p.metadata.deletionTimestamp && selectorMatches(pdb.spec.selector, p.metadata.labels));
}

// Sum of the scales of the controllers of the covered pods (pod -> ReplicaSet -> Deployment when there is one).
function expectedFromControllers(store: Store, pods: V1PodLike[]): number {
  const seen = new Map<string, number>();
  for (const pod of pods) {
    const owner = controllerOf(pod);
    if (!owner || owner.kind !== 'ReplicaSet') continue;
    const rs = store.list('ReplicaSet', pod.metadata.namespace).find((r) => r.metadata.uid === owner.uid);
    if (!rs) continue;
    const rsOwner = controllerOf(rs);
    const d = rsOwner?.kind === 'Deployment'
      ? store.list('Deployment', pod.metadata.namespace).find((x) => x.metadata.uid === rsOwner.uid)
      : undefined;
    if (d) seen.set(d.metadata.uid, d.spec.replicas);
    else seen.set(rs.metadata.uid, rs.spec.replicas);
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

export function pdbStatus(store: Store, pdb: PdbObject): PdbObject['status'] {
  const covered = podsCovered(pdb, store.list('Pod', pdb.metadata.namespace));
  const currentHealthy = covered.filter(isPodReady).length;
  let expectedPods: number;
  let desiredHealthy: number;
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (minAvailable !== undefined && !parseIntOrPercent(minAvailable, 'minAvailable').percent) {
    expectedPods = covered.length;
    desiredHealthy = scaled(minAvailable, expectedPods, 'minAvailable');
  } else {
    expectedPods = expectedFromControllers(store, covered);
    desiredHealthy =
      maxUnavailable !== undefined
        ? Math.max(0, expectedPods - scaled(maxUnavailable, expectedPods, 'maxUnavailable'))
        : scaled(minAvailable ?? 0, expectedPods, 'minAvailable');
  }
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  const now = pdb.status.conditions;
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: disruptionsAllowed > 0 ? 'True' : 'False',
        reason: disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: pdb.metadata.generation ?? 1,
        lastTransitionTime: sameStatusTime(now, disruptionsAllowed > 0),
      },
    ],
  };
}

function sameStatusTime(previous: PdbObject['status']['conditions'], allowed: boolean): string {
  const prev = previous?.[0];
  if (prev && typeof prev === 'object' && !Array.isArray(prev) && prev['status'] === (allowed ? 'True' : 'False') && typeof prev['lastTransitionTime'] === 'string') {
    return prev['lastTransitionTime'];
  }
  return timestamp();
}

// Throws the error the eviction subresource answers with when this eviction must not happen now.
export function checkEviction(store: Store, pod: V1PodLike): void {
  // Pods that are not running never count against a budget (canIgnorePDB).
  if (pod.metadata.deletionTimestamp || ['Succeeded', 'Failed', 'Pending'].includes(pod.status.phase)) return;
  const pdbs = store.list('PodDisruptionBudget', pod.metadata.namespace).filter((b) => selectorMatches(b.spec.selector, pod.metadata.labels));
  if (pdbs.length === 0) return;
  if (pdbs.length > 1) {
    throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const pdb = pdbs[0] as PdbObject;
  const status = pdbStatus(store, pdb);
  // Default unhealthyPodEvictionPolicy (IfHealthyBudget): an unready pod may go while the budget is met.
  if (!isPodReady(pod) && status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return;
  if (status.disruptionsAllowed === 0) {
    throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
      },
    ]);
  }
}
