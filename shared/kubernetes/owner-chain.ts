// The owner chain of a pod, pod → ReplicaSet → Deployment: read from its metadata, or walked through the API.
// The one place that knows how pods, ReplicaSets and Deployments point at each other.
import type { KubeClients, k8s } from './client.ts';

export interface OwnerRef {
  kind: string;
  name: string;
  uid?: string | undefined;
  controller?: boolean | undefined;
}

/** The object that controls this one (the ReplicaSet of a pod, the Deployment of a ReplicaSet), if any. */
export function controllerOf(meta: { ownerReferences?: readonly OwnerRef[] | undefined } | undefined): OwnerRef | undefined {
  return meta?.ownerReferences?.find((o) => o.controller === true);
}

export type DeploymentLookup = { found: true; name: string } | { found: false; detail: string };

/** The Deployment that owns a pod, as the API server has it now; a failed read throws (the caller classifies it). */
export async function deploymentOf(kube: KubeClients, pod: k8s.V1Pod): Promise<DeploymentLookup> {
  const namespace = pod.metadata?.namespace ?? '';
  const rsRef = controllerOf(pod.metadata);
  if (rsRef?.kind !== 'ReplicaSet') return { found: false, detail: `pod ${namespace}/${pod.metadata?.name} has no owning ReplicaSet` };
  const rs = await kube.apps.readNamespacedReplicaSet({ namespace, name: rsRef.name }, kube.options());
  const deployRef = controllerOf(rs.metadata);
  if (deployRef?.kind !== 'Deployment') return { found: false, detail: `ReplicaSet ${namespace}/${rsRef.name} has no owning Deployment` };
  return { found: true, name: deployRef.name };
}

/** Metadata as the checks read it: enough to name the workload without an API call. */
export interface PodMetaLike {
  labels?: Record<string, string> | undefined;
  ownerReferences?: Array<{ kind: string; name: string; controller?: boolean | undefined }> | undefined;
}

export interface Workload {
  kind: string;
  name: string;
}

/** The workload that owns a pod, as the healer needs it: a ReplicaSet of a Deployment is named as that Deployment. */
export function owningWorkload(meta: PodMetaLike): Workload | undefined {
  const owners = meta.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  if (!owner) return undefined;
  const hash = meta.labels?.['pod-template-hash'];
  // A Deployment names its ReplicaSets <deployment>-<pod-template-hash>; anything else is a bare ReplicaSet.
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`) && owner.name.length > hash.length + 1) {
    return { kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
  }
  return { kind: owner.kind, name: owner.name };
}
