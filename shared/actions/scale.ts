// scale: adds replicas to the Deployment that owns the pod, through its scale subresource, within the rule's bounds.
import { deploymentOf } from '../kubernetes/owner-chain.ts';
import { defineAction } from './action.ts';
import { failure } from './outcome.ts';

/** Healing only adds capacity: a deployment already at or over the maximum (scaled by hand) is left alone. */
export function nextReplicas(current: number, bounds: { replicas?: number | undefined; step: number; max: number }): number {
  if (current >= bounds.max) return current;
  const wanted = bounds.replicas ?? current + bounds.step;
  return Math.min(Math.max(wanted, current), bounds.max);
}

export const scale = defineAction({
  name: 'scale',
  budgeted: true,
  replacesPod: false,
  readsPod: true,
  permissions: [
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'deployments/scale', verbs: ['get', 'patch'] },
  ],
  async perform(ctx, { rule, pod }) {
    const namespace = rule.namespace;
    const bounds = rule.scale;
    if (!bounds) return { kind: 'failed', transient: false, detail: `rule ${rule.name} has no scale bounds` };
    if (!pod) return { kind: 'failed', transient: false, detail: 'no pod to find the workload from' };
    const kube = await ctx.kube();
    try {
      const owner = await deploymentOf(kube, pod);
      if (!owner.found) return { kind: 'failed', transient: false, detail: owner.detail };
      const name = owner.name;
      const current = (await kube.apps.readNamespacedDeploymentScale({ namespace, name }, kube.options())).spec?.replicas ?? 0;
      const target = nextReplicas(current, bounds);
      if (target === current) return { kind: 'performed', detail: `deployment ${namespace}/${name} is already at ${current} replicas (max ${bounds.max})` };
      await kube.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas: target } } }, kube.options('merge'));
      return { kind: 'performed', detail: `scaled deployment ${namespace}/${name} from ${current} to ${target} replicas` };
    } catch (error) {
      return failure(error, `scaling the owner of ${namespace}/${pod.metadata?.name}`);
    }
  },
});
