// Scales the Deployment that owns a pod (pod → ReplicaSet → Deployment) through its scale subresource, within bounds.
import type { KubeClients, k8s } from '../kubernetes/client.ts';
import type { PodRule } from '../rules/schema.ts';
import { failure } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

/** Healing only adds capacity: a deployment already at or over the maximum (scaled by hand) is left alone. */
export function nextReplicas(current: number, bounds: { replicas?: number | undefined; step: number; max: number }): number {
  if (current >= bounds.max) return current;
  const wanted = bounds.replicas ?? current + bounds.step;
  return Math.min(Math.max(wanted, current), bounds.max);
}

export async function scaleOwner(kube: KubeClients, rule: PodRule, pod: k8s.V1Pod): Promise<ActionOutcome> {
  const namespace = rule.namespace;
  const bounds = rule.scale;
  if (!bounds) return { kind: 'failed', transient: false, detail: `rule ${rule.name} has no scale bounds` };
  const rsRef = pod.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'ReplicaSet');
  if (!rsRef) return { kind: 'failed', transient: false, detail: `pod ${namespace}/${pod.metadata?.name} has no owning ReplicaSet` };
  try {
    const rs = await kube.apps.readNamespacedReplicaSet({ namespace, name: rsRef.name }, kube.options());
    const deployRef = rs.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
    if (!deployRef) return { kind: 'failed', transient: false, detail: `ReplicaSet ${namespace}/${rsRef.name} has no owning Deployment` };
    const name = deployRef.name;
    const scale = await kube.apps.readNamespacedDeploymentScale({ namespace, name }, kube.options());
    const current = scale.spec?.replicas ?? 0;
    const target = nextReplicas(current, bounds);
    if (target === current) return { kind: 'performed', detail: `deployment ${namespace}/${name} is already at ${current} replicas (max ${bounds.max})` };
    await kube.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas: target } } }, kube.options('merge'));
    return { kind: 'performed', detail: `scaled deployment ${namespace}/${name} from ${current} to ${target} replicas` };
  } catch (error) {
    return failure(error, `scaling the owner of ${namespace}/${pod.metadata?.name}`);
  }
}
