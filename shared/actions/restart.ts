// restart: evicts the pod through the Eviction API, which honours PodDisruptionBudgets; DELETE only as an opt-in fallback.
// Both carry the uid of the pod the decision read, so a pod recreated under the same name is never hit. The only pod of
// a single-replica Deployment, which a budget never lets go, is replaced by a rollout restart of its Deployment instead.
import { apiStatus, isDisruptionBudgetRefusal } from '../kubernetes/client.ts';
import type { KubeClients, k8s } from '../kubernetes/client.ts';
import { deploymentOf } from '../kubernetes/owner-chain.ts';
import { defineAction } from './action.ts';
import type { ActionContext, ActionRule } from './action.ts';
import { about, failure, unanswered } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';
import { restartRollout } from './rollout-restart.ts';

interface Victim {
  namespace: string;
  name: string;
  uid: string | undefined;
}

function answerOf(error: unknown): string {
  const status = apiStatus(error);
  return status === undefined ? 'no answer came' : `the API server answered ${status}`;
}

/** The outcome is unknown: whether the pod the decision read is gone (or going) says whether the request was served. */
async function resolveUnanswered(kube: KubeClients, pod: Victim, what: string, error: unknown): Promise<ActionOutcome> {
  const done = `${what} pod ${pod.namespace}/${pod.name}: ${answerOf(error)}, but the pod is`;
  try {
    const now = await kube.core.readNamespacedPod({ namespace: pod.namespace, name: pod.name }, kube.options());
    if (pod.uid !== undefined && now.metadata?.uid !== pod.uid) return { kind: 'performed', detail: `${done} gone (replaced)` };
    if (now.metadata?.deletionTimestamp) return { kind: 'performed', detail: `${done} terminating` };
    return { kind: 'failed', transient: true, detail: `${what} pod ${pod.namespace}/${pod.name}: ${answerOf(error)} and the pod is still running: ${failure(error, 'retry').detail}` };
  } catch (readError) {
    if (apiStatus(readError) === 404) return { kind: 'performed', detail: `${done} gone` };
    return failure(readError, `${what} pod ${pod.namespace}/${pod.name}: no answer came, and the pod cannot be read to know whether it happened`);
  }
}

/** The answers that settle the pod's fate whatever the verb: gone already, or replaced since it was read. */
function settled(error: unknown, pod: Victim): ActionOutcome | undefined {
  if (apiStatus(error) === 404) return { kind: 'performed', detail: `pod ${pod.namespace}/${pod.name} was already gone` };
  return undefined;
}

/** Under minAvailable: 1 a single-replica Deployment's only pod can never be evicted; its own rollout replaces it
 *  without going below one available pod (maxSurge first), which is what the budget protects. Undefined: not such a pod. */
async function rolloutInstead(kube: KubeClients, pod: k8s.V1Pod, now: number): Promise<ActionOutcome | undefined> {
  const namespace = pod.metadata?.namespace ?? '';
  const owner = await deploymentOf(kube, pod);
  if (!owner.found) return undefined;
  const d = await kube.apps.readNamespacedDeployment({ namespace, name: owner.name }, kube.options());
  if ((d.spec?.replicas ?? 1) !== 1) return undefined;
  const outcome = await restartRollout(kube, namespace, owner.name, now);
  return { ...outcome, detail: `a PodDisruptionBudget forbids evicting ${namespace}/${pod.metadata?.name}, the only pod of deployment ${namespace}/${owner.name}: ${outcome.detail}` };
}

export const restart = defineAction({
  name: 'restart',
  budgeted: true,
  replacesPod: true,
  confirmsFirst: true,
  readsPod: true,
  whileDependencyFails: 'alert',
  whenSharedCause: 'alert',
  permissions: [
    { apiGroup: '', resource: 'pods/eviction', verbs: ['create'] },
    // Only with deleteFallback; RBAC is per function, not per rule, so the healer is granted it.
    { apiGroup: '', resource: 'pods', verbs: ['delete'] },
    // Confirming an exec rule's failure runs its command in the pod, as check-pods does.
    { apiGroup: '', resource: 'pods/exec', verbs: ['create', 'get'] },
    // A single-replica Deployment behind a budget: its owner is found and its rollout restarted.
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'patch'] },
  ],
  async wasDone(ctx, { namespace, pod, uid }) {
    const kube = await ctx.kube();
    try {
      const now = await kube.core.readNamespacedPod({ namespace, name: pod }, kube.options());
      if (uid !== '' && now.metadata?.uid !== uid) return { done: true, detail: `pod ${namespace}/${pod} is gone (replaced)` };
      if (now.metadata?.deletionTimestamp) return { done: true, detail: `pod ${namespace}/${pod} is terminating` };
      return { done: false, detail: `pod ${namespace}/${pod} is still running: it was not restarted` };
    } catch (error) {
      if (apiStatus(error) === 404) return { done: true, detail: `pod ${namespace}/${pod} is gone` };
      throw error;
    }
  },
  async perform(ctx, { rule, target, pod: read }) {
    const pod: Victim = { namespace: rule.namespace, name: target.name, uid: read?.metadata?.uid };
    return about(await restartPod(ctx, rule, pod, read), { apiVersion: 'v1', kind: 'Pod', ...pod });
  },
});

/** Evicts the pod (or deletes it, or restarts its only-pod Deployment's rollout) as the action describes. */
async function restartPod(ctx: ActionContext, rule: ActionRule, pod: Victim, read: k8s.V1Pod | undefined): Promise<ActionOutcome> {
  const kube = await ctx.kube();
  const { namespace, name } = pod;
  const deleteOptions = pod.uid === undefined ? undefined : { preconditions: { uid: pod.uid } };
  try {
    await kube.core.createNamespacedPodEviction(
      { namespace, name, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, ...(deleteOptions ? { deleteOptions } : {}) } },
      kube.options(),
    );
    return { kind: 'performed', detail: `evicted pod ${namespace}/${name}` };
  } catch (error) {
    // A 409 is a failed uid precondition (the pod was replaced) or the budget's own update conflicting: the pod
    // read back tells which.
    if (unanswered(error) || apiStatus(error) === 409) return resolveUnanswered(kube, pod, 'evicting', error);
    const known = settled(error, pod);
    if (known) return known;
    // Only a budget's refusal is "not now"; a throttling 429 (API Priority and Fairness) is a transient fault.
    if (!isDisruptionBudgetRefusal(error)) return failure(error, `evicting ${namespace}/${name}`);
    const instead = read ? await rolloutInstead(kube, read, ctx.now()).catch((e: unknown) => failure(e, `restarting the rollout of the owner of ${namespace}/${name}`)) : undefined;
    if (instead) return instead;
    if (!rule.deleteFallback) return { kind: 'deferred', detail: `a PodDisruptionBudget forbids evicting ${namespace}/${name} now` };
  }
  try {
    await kube.core.deleteNamespacedPod({ namespace, name, ...(deleteOptions ? { body: deleteOptions } : {}) }, kube.options());
    return { kind: 'performed', detail: `deleted pod ${namespace}/${name} (eviction refused by a PodDisruptionBudget; deleteFallback is on)` };
  } catch (error) {
    if (unanswered(error) || apiStatus(error) === 409) return resolveUnanswered(kube, pod, 'deleting', error);
    return settled(error, pod) ?? failure(error, `deleting ${namespace}/${name}`);
  }
}
