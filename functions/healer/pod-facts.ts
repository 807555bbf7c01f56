// Re-reads a pod from the API before anything is done to it: never trust the payload for what may be touched.
import type { KubeClients, k8s } from '../../shared/kubernetes/client.ts';
import { apiStatus } from '../../shared/kubernetes/client.ts';
import { controllerOf } from '../../shared/kubernetes/owner-chain.ts';
import { matchesSelector, parseLabelSelector } from '../../shared/rules/label-selector.ts';
import type { PodRule } from '../../shared/rules/schema.ts';

export interface PodFacts {
  verdict: 'ok' | 'gone' | 'not-in-rule' | 'not-opted-in';
  pod?: k8s.V1Pod;
  /** Live pods of the same ReplicaSet (names), when the pod has one. */
  siblings?: string[];
}

export function parseOptInLabel(label: string): { key: string; value: string } {
  const at = label.indexOf('=');
  return { key: label.slice(0, at), value: label.slice(at + 1) };
}

export async function readPodFacts(kube: KubeClients, rule: PodRule, podName: string, optInLabel: string): Promise<PodFacts> {
  let pod: k8s.V1Pod;
  try {
    pod = await kube.core.readNamespacedPod({ namespace: rule.namespace, name: podName }, kube.options());
  } catch (error) {
    if (apiStatus(error) === 404) return { verdict: 'gone' };
    throw error;
  }
  const labels = pod.metadata?.labels ?? {};
  if (pod.metadata?.namespace !== rule.namespace || !matchesSelector(parseLabelSelector(rule.labelSelector), labels)) {
    return { verdict: 'not-in-rule', pod };
  }
  if (pod.metadata?.deletionTimestamp) return { verdict: 'gone', pod };
  const optIn = parseOptInLabel(optInLabel);
  if (labels[optIn.key] !== optIn.value) return { verdict: 'not-opted-in', pod };

  const owner = controllerOf(pod.metadata);
  if (!owner) return { verdict: 'ok', pod };
  const list = await kube.core.listNamespacedPod({ namespace: rule.namespace, labelSelector: rule.labelSelector }, kube.options());
  const siblings = list.items
    .filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === owner.uid) && !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name ?? '');
  return { verdict: 'ok', pod, siblings };
}
