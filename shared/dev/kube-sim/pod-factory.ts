// Builds Pod objects from a ReplicaSet template, and flips their readiness the way the kubelet reports it.
import { newUid, timestamp } from './store.ts';
import type { PodCondition, ReplicaSetObject, V1PodLike } from './wire-types.ts';

export const NODE_NAME = 'kube-sim-node';
export const NODE_IP = '127.0.0.1';

export function buildPod(rs: ReplicaSetObject, name: string, podIP: string): V1PodLike {
  const now = timestamp();
  const template = structuredClone(rs.spec.template);
  const condition = (type: string): PodCondition => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace ?? 'default',
      uid: newUid(),
      resourceVersion: '',
      creationTimestamp: now,
      labels: template.metadata.labels,
      ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...template.spec,
      nodeName: NODE_NAME,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
    },
    status: {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers'),
        condition('Initialized'),
        condition('Ready'),
        condition('ContainersReady'),
        condition('PodScheduled'),
      ],
      hostIP: NODE_IP,
      hostIPs: [{ ip: NODE_IP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      containerStatuses: template.spec.containers.map((c) => ({
        name: c.name,
        ready: true,
        started: true,
        restartCount: 0,
        image: c.image,
        imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
        containerID: `containerd://${newUid().replace(/-/g, '')}`,
        state: { running: { startedAt: now } },
        lastState: {},
      })),
      qosClass: 'BestEffort',
    },
  };
}

export function isPodReady(pod: V1PodLike): boolean {
  return pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

// Returns false when nothing changed, so callers do not bump resourceVersion for a no-op.
export function setReadiness(pod: V1PodLike, ready: boolean): boolean {
  if (isPodReady(pod) === ready) return false;
  const now = timestamp();
  for (const c of pod.status.conditions) {
    if (c.type === 'Ready' || c.type === 'ContainersReady') {
      c.status = ready ? 'True' : 'False';
      c.lastTransitionTime = now;
    }
  }
  for (const cs of pod.status.containerStatuses) cs.ready = ready;
  return true;
}

export function controllerOf(pod: { metadata: { ownerReferences?: Array<{ controller?: boolean; uid: string; kind: string; name: string }> } }) {
  return pod.metadata.ownerReferences?.find((o) => o.controller === true);
}
