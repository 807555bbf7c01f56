// Derives ReplicaSet and Deployment status from the pods that exist, as the controllers would report it.
import { isPodReady } from './pod-factory.ts';
import { selectorMatches } from './selectors.ts';
import { timestamp } from './store.ts';
import type { DeploymentObject, Json, ReplicaSetObject, V1PodLike } from './wire-types.ts';

// Go's omitempty drops zero counts from these status structs.
function counts(entries: Record<string, number>, keepZero: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== 0 || keepZero.includes(k)) out[k] = v;
  return out;
}

export function replicaSetStatus(rs: ReplicaSetObject, pods: V1PodLike[]): Record<string, Json> {
  const ready = pods.filter(isPodReady).length;
  return {
    ...counts(
      {
        replicas: pods.length,
        fullyLabeledReplicas: pods.filter((p) => selectorMatches({ matchLabels: rs.spec.template.metadata.labels }, p.metadata.labels)).length,
        readyReplicas: ready,
        availableReplicas: ready,
      },
      ['replicas'],
    ),
    observedGeneration: rs.metadata.generation ?? 1,
  };
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

function keepTimes(next: Condition, previous: Json | undefined): Condition {
  const prev = previous as Partial<Condition> | undefined;
  if (prev && prev.status === next.status && prev.reason === next.reason && prev.lastTransitionTime && prev.lastUpdateTime) {
    return { ...next, lastTransitionTime: prev.lastTransitionTime, lastUpdateTime: prev.lastUpdateTime };
  }
  return next;
}

export function deploymentStatus(d: DeploymentObject, current: ReplicaSetObject | undefined, podsByRs: Map<string, V1PodLike[]>): Record<string, Json> {
  const all = [...podsByRs.values()].flat();
  const ready = all.filter(isPodReady).length;
  const updated = current ? (podsByRs.get(current.metadata.uid) ?? []).length : 0;
  const desired = d.spec.replicas;
  // RollingUpdate default maxUnavailable is 25%, rounded down.
  const available = ready >= desired - Math.floor(desired * 0.25);
  const now = timestamp();
  const prevConditions = Array.isArray(d.status['conditions']) ? d.status['conditions'] : [];
  const prev = (type: string): Json | undefined =>
    prevConditions.find((c) => typeof c === 'object' && c !== null && !Array.isArray(c) && c['type'] === type);
  const conditions: Condition[] = [
    keepTimes(
      {
        type: 'Available',
        status: available ? 'True' : 'False',
        lastUpdateTime: now,
        lastTransitionTime: now,
        reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      },
      prev('Available'),
    ),
    keepTimes(
      {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: now,
        lastTransitionTime: now,
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${current?.metadata.name ?? ''}" has successfully progressed.`,
      },
      prev('Progressing'),
    ),
  ];
  return {
    observedGeneration: d.metadata.generation ?? 1,
    ...counts({
      replicas: all.length,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, desired - ready),
    }),
    // Condition holds only strings, so it is JSON; the interface just lacks Json's index signature.
    conditions: conditions as unknown as Json,
  };
}
