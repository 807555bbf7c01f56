// Restarts a pod through the Eviction API, which honours PodDisruptionBudgets; DELETE only as an opt-in fallback.
import type { KubeClients } from '../kubernetes/client.ts';
import { apiStatus } from '../kubernetes/client.ts';
import type { PodRule } from '../rules/schema.ts';
import { failure } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

export async function restartPod(kube: KubeClients, rule: PodRule, podName: string): Promise<ActionOutcome> {
  const namespace = rule.namespace;
  try {
    await kube.core.createNamespacedPodEviction(
      {
        namespace,
        name: podName,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace } },
      },
      kube.options(),
    );
    return { kind: 'performed', detail: `evicted pod ${namespace}/${podName}` };
  } catch (error) {
    const status = apiStatus(error);
    if (status === 404) return { kind: 'performed', detail: `pod ${namespace}/${podName} was already gone` };
    if (status !== 429) return failure(error, `evicting ${namespace}/${podName}`);
    if (!rule.deleteFallback) return { kind: 'deferred', detail: `a PodDisruptionBudget forbids evicting ${namespace}/${podName} now` };
  }
  try {
    await kube.core.deleteNamespacedPod({ namespace, name: podName }, kube.options());
    return { kind: 'performed', detail: `deleted pod ${namespace}/${podName} (eviction refused by a PodDisruptionBudget; deleteFallback is on)` };
  } catch (error) {
    if (apiStatus(error) === 404) return { kind: 'performed', detail: `pod ${namespace}/${podName} was already gone` };
    return failure(error, `deleting ${namespace}/${podName}`);
  }
}
