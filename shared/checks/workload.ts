// The workload that owns a pod, as the healer needs it: a ReplicaSet of a Deployment is named as that Deployment.
export interface PodMetaLike {
  labels?: Record<string, string> | undefined;
  ownerReferences?: Array<{ kind: string; name: string; controller?: boolean | undefined }> | undefined;
}

export interface Workload {
  kind: string;
  name: string;
}

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
