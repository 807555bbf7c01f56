// rollout-restart: what `kubectl rollout restart` does to the Deployment that owns the pod — a new template annotation,
// so the Deployment replaces every pod under its own rollout rules (maxSurge/maxUnavailable), not one pod at a time.
import { apiStatus } from '../kubernetes/client.ts';
import type { KubeClients, k8s } from '../kubernetes/client.ts';
import { deploymentOf } from '../kubernetes/owner-chain.ts';
import { defineAction } from './action.ts';
import { about, failure, resolveByReading, unanswered } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** Reads and writes before giving up on a Deployment others keep changing (a 503 then retries the event). */
const MAX_WRITES = 3;

/** kubectl writes time.Now().Format(time.RFC3339): whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Whether the Deployment can take a restart now. A rollout is under way while the controller has not seen the last
 * spec change, or not every replica runs the current template yet, or old pods remain. Availability is left out on
 * purpose: the failing pods being healed may be unready, and that is no rollout.
 */
export function rolloutState(d: k8s.V1Deployment): { state: 'paused' | 'rolling' | 'ready'; detail: string } {
  const where = `deployment ${d.metadata?.namespace}/${d.metadata?.name}`;
  if (d.spec?.paused) return { state: 'paused', detail: `${where} is paused: a rollout restart would not roll out` };
  const want = d.spec?.replicas ?? 1;
  const status = d.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  if ((status.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { state: 'rolling', detail: `${where} is rolling out (its controller has not seen generation ${d.metadata?.generation} yet)` };
  if (updated < want || (status.replicas ?? 0) > updated) return { state: 'rolling', detail: `${where} is rolling out (${updated} of ${want} replicas updated)` };
  return { state: 'ready', detail: where };
}

/** Restarts the Deployment's rollout with the resourceVersion it judged ready; a concurrent change is re-read. */
export async function restartRollout(kube: KubeClients, namespace: string, name: string, now: number): Promise<ActionOutcome> {
  return about(await rolloutRestartOnce(kube, namespace, name, now), { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
}

async function rolloutRestartOnce(kube: KubeClients, namespace: string, name: string, now: number): Promise<ActionOutcome> {
  const at = rfc3339(now);
  for (let write = 1; write <= MAX_WRITES; write++) {
    const d = await kube.apps.readNamespacedDeployment({ namespace, name }, kube.options());
    const { state, detail } = rolloutState(d);
    if (state === 'paused') return { kind: 'declined', reason: 'deployment-paused', detail };
    if (state === 'rolling') return { kind: 'deferred', reason: 'rollout-in-progress', detail };
    const body = { metadata: { resourceVersion: d.metadata?.resourceVersion }, spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } };
    try {
      await kube.apps.patchNamespacedDeployment({ namespace, name, body }, kube.options('strategic'));
      return { kind: 'performed', detail: `restarted the rollout of deployment ${namespace}/${name} (restartedAt ${at})` };
    } catch (error) {
      if (unanswered(error)) return resolveUnanswered(kube, namespace, name, at, error);
      if (apiStatus(error) !== 409) throw error;
    }
  }
  return { kind: 'failed', transient: true, detail: `deployment ${namespace}/${name} changed under every one of ${MAX_WRITES} writes; retry` };
}

/** No answer came: the template as it is now says whether the patch was served. */
async function resolveUnanswered(kube: KubeClients, namespace: string, name: string, at: string, error: unknown): Promise<ActionOutcome> {
  const where = `deployment ${namespace}/${name}`;
  return resolveByReading(
    () => kube.apps.readNamespacedDeployment({ namespace, name }, kube.options()),
    (d) => {
      const done = d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === at;
      return { done, what: done ? `${where} has restartedAt ${at}` : `${where} was not restarted` };
    },
    { where, verb: 'restarted' },
    error,
  );
}

export const rolloutRestart = defineAction({
  name: 'rollout-restart',
  budgeted: true,
  // The rollout replaces the workload's pods, not the one: the failing sets learn of it from the results.
  replacesPod: false,
  confirmsFirst: true,
  readsPod: true,
  whileDependencyFails: 'alert',
  permissions: [
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'patch'] },
    // Confirming an exec rule's failure runs its command in the pod, as check-pods does.
    { apiGroup: '', resource: 'pods/exec', verbs: ['create', 'get'] },
  ],
  async wasDone(ctx, { namespace, pod, uid }) {
    const kube = await ctx.kube();
    let now: k8s.V1Pod;
    try {
      now = await kube.core.readNamespacedPod({ namespace, name: pod }, kube.options());
    } catch (error) {
      if (apiStatus(error) === 404) return { done: true, detail: `pod ${namespace}/${pod} is gone` };
      throw error;
    }
    if (uid !== '' && now.metadata?.uid !== uid) return { done: true, detail: `pod ${namespace}/${pod} is gone (replaced)` };
    const owner = await deploymentOf(kube, now);
    if (!owner.found) return { done: undefined, detail: owner.detail };
    const d = await kube.apps.readNamespacedDeployment({ namespace, name: owner.name }, kube.options());
    const restarted = d.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
    // A pod carries its template's annotations: a different restartedAt on the Deployment was set after it was made.
    if (restarted !== undefined && restarted !== now.metadata?.annotations?.[RESTARTED_AT]) {
      return { done: true, detail: `deployment ${namespace}/${owner.name} was restarted after pod ${namespace}/${pod} was made (restartedAt ${restarted})` };
    }
    return { done: false, detail: `deployment ${namespace}/${owner.name} was not restarted since pod ${namespace}/${pod} was made` };
  },
  async perform(ctx, { rule, pod }) {
    if (!pod) return { kind: 'failed', transient: false, detail: 'no pod to find the workload from' };
    const kube = await ctx.kube();
    let deployment: string | undefined;
    try {
      const owner = await deploymentOf(kube, pod);
      if (!owner.found) return { kind: 'failed', transient: false, detail: owner.detail };
      deployment = owner.name;
      return await restartRollout(kube, rule.namespace, owner.name, ctx.now());
    } catch (error) {
      const failed = failure(error, `restarting the rollout of the owner of ${rule.namespace}/${pod.metadata?.name}`);
      // Once the Deployment is known, its failure is recorded on it.
      return deployment ? about(failed, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: rule.namespace, name: deployment }) : failed;
    }
  },
});
