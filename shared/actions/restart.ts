// restart: evicts the pod through the Eviction API, which honours PodDisruptionBudgets; DELETE only as an opt-in fallback.
import { apiStatus } from '../kubernetes/client.ts';
import { defineAction } from './action.ts';
import { failure } from './outcome.ts';

export const restart = defineAction({
  name: 'restart',
  budgeted: true,
  replacesPod: true,
  readsPod: true,
  whileDependencyFails: 'alert',
  whenSharedCause: 'alert',
  permissions: [
    { apiGroup: '', resource: 'pods/eviction', verbs: ['create'] },
    // Only with deleteFallback; RBAC is per function, not per rule, so the healer is granted it.
    { apiGroup: '', resource: 'pods', verbs: ['delete'] },
  ],
  async perform(ctx, { rule, target }) {
    const kube = await ctx.kube();
    const namespace = rule.namespace;
    const name = target.name;
    try {
      await kube.core.createNamespacedPodEviction(
        { namespace, name, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } },
        kube.options(),
      );
      return { kind: 'performed', detail: `evicted pod ${namespace}/${name}` };
    } catch (error) {
      const status = apiStatus(error);
      if (status === 404) return { kind: 'performed', detail: `pod ${namespace}/${name} was already gone` };
      if (status !== 429) return failure(error, `evicting ${namespace}/${name}`);
      if (!rule.deleteFallback) return { kind: 'deferred', detail: `a PodDisruptionBudget forbids evicting ${namespace}/${name} now` };
    }
    try {
      await kube.core.deleteNamespacedPod({ namespace, name }, kube.options());
      return { kind: 'performed', detail: `deleted pod ${namespace}/${name} (eviction refused by a PodDisruptionBudget; deleteFallback is on)` };
    } catch (error) {
      if (apiStatus(error) === 404) return { kind: 'performed', detail: `pod ${namespace}/${name} was already gone` };
      return failure(error, `deleting ${namespace}/${name}`);
    }
  },
});
