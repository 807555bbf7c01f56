// scale: adds replicas to the Deployment that owns the pod, through its scale subresource, within the rule's bounds;
// under an HPA, through the HPA's minReplicas (hpa.ts), since the HPA undoes any write to the scale subresource.
// Each write carries the resourceVersion it was computed from: a concurrent change is re-read, never overwritten.
import { apiStatus } from '../kubernetes/client.ts';
import type { KubeClients } from '../kubernetes/client.ts';
import { deploymentOf } from '../kubernetes/owner-chain.ts';
import { defineAction } from './action.ts';
import { holdMs, hpaOf, raiseMinReplicas } from './hpa.ts';
import { about, failure, resolveByReading, unanswered } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

type Bounds = { replicas?: number | undefined; step: number; max: number };

/** Healing only adds capacity: a deployment already at or over the maximum (scaled by hand) is left alone. */
export function nextReplicas(current: number, bounds: Bounds): number {
  if (current >= bounds.max) return current;
  const wanted = bounds.replicas ?? current + bounds.step;
  return Math.min(Math.max(wanted, current), bounds.max);
}

/** Reads and writes before giving up on a Deployment others keep changing (a 503 then retries the event). */
const MAX_WRITES = 3;

async function scaleTo(kube: KubeClients, namespace: string, name: string, bounds: Bounds): Promise<ActionOutcome> {
  const where = `deployment ${namespace}/${name}`;
  for (let write = 1; write <= MAX_WRITES; write++) {
    const scale = await kube.apps.readNamespacedDeploymentScale({ namespace, name }, kube.options());
    const current = scale.spec?.replicas ?? 0;
    const target = nextReplicas(current, bounds);
    if (target === current) return { kind: 'performed', detail: `${where} is already at ${current} replicas (max ${bounds.max})` };
    const body = { metadata: { resourceVersion: scale.metadata?.resourceVersion }, spec: { replicas: target } };
    try {
      await kube.apps.patchNamespacedDeploymentScale({ namespace, name, body }, kube.options('merge'));
      return { kind: 'performed', detail: `scaled ${where} from ${current} to ${target} replicas` };
    } catch (error) {
      if (unanswered(error)) return resolveUnanswered(kube, namespace, name, target, error);
      if (apiStatus(error) !== 409) throw error;
    }
  }
  return { kind: 'failed', transient: true, detail: `${where} changed under every one of ${MAX_WRITES} writes; retry` };
}

/** No answer came: the scale as it is now says whether the write was served. */
async function resolveUnanswered(kube: KubeClients, namespace: string, name: string, target: number, error: unknown): Promise<ActionOutcome> {
  const where = `deployment ${namespace}/${name}`;
  return resolveByReading(
    async () => (await kube.apps.readNamespacedDeploymentScale({ namespace, name }, kube.options())).spec?.replicas ?? 0,
    (now) => ({ done: now >= target, what: now >= target ? `${where} is at ${now} replicas` : `${where} is still at ${now} replicas` }),
    { where, verb: 'scaled' },
    error,
  );
}

export const scale = defineAction({
  name: 'scale',
  budgeted: true,
  replacesPod: false,
  confirmsFirst: false,
  readsPod: true,
  permissions: [
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'deployments/scale', verbs: ['get', 'patch'] },
    // Under an HPA the minimum is raised (and later restored) on the HPA instead.
    { apiGroup: 'autoscaling', resource: 'horizontalpodautoscalers', verbs: ['get', 'list', 'patch'] },
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
      const hpa = await hpaOf(kube, namespace, owner.name);
      if (hpa) {
        const ref = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace, name: hpa.metadata?.name ?? '', uid: hpa.metadata?.uid };
        return about(await raiseMinReplicas(kube, hpa, owner.name, bounds, ctx.now() + holdMs(rule)), ref);
      }
      return about(await scaleTo(kube, namespace, owner.name, bounds), { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: owner.name });
    } catch (error) {
      return failure(error, `scaling the owner of ${namespace}/${pod.metadata?.name}`);
    }
  },
});
