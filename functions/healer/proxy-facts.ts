// Re-reads what a proxy result is about: it counts only for a Running pod of that role in the rule's namespace, or,
// as "no running pod", for a role that really has none. The payload's word is not enough to switch a Service.
import type { JudgedResult } from '../../shared/events/schemas.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import { apiMessage, apiStatus } from '../../shared/kubernetes/client.ts';
import type { KubeClients, k8s } from '../../shared/kubernetes/client.ts';
import { selectorFromMap } from '../../shared/rules/label-selector.ts';
import type { EgressRule } from '../../shared/rules/schema.ts';

const running = (pod: k8s.V1Pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;

function withSelector(pod: k8s.V1Pod, selector: Record<string, string>): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

async function readPod(kube: KubeClients, namespace: string, name: string): Promise<k8s.V1Pod | undefined> {
  try {
    return await kube.core.readNamespacedPod({ namespace, name }, kube.options());
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw unavailable(`kubernetes API: cannot read pod ${namespace}/${name}: ${apiMessage(error)}`, { kind: 'kubernetes', verb: 'get' });
  }
}

async function runningPodsOf(kube: KubeClients, namespace: string, selector: Record<string, string>): Promise<number> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace, labelSelector: selectorFromMap(selector) }, kube.options());
    return list.items.filter(running).length;
  } catch (error) {
    throw unavailable(`kubernetes API: cannot list the pods of ${namespace} (${selectorFromMap(selector)}): ${apiMessage(error)}`, { kind: 'kubernetes', verb: 'list' });
  }
}

/** Why the result cannot count for its role (`problem`), or the pod it is about as the API server has it (none for
 *  a role without pods). API faults are 503s. */
export async function checkProxyResult(kube: KubeClients, rule: EgressRule, result: JudgedResult, role: 'primary' | 'secondary'): Promise<{ problem?: string; pod?: k8s.V1Pod }> {
  const { namespace, name } = result.target;
  const selector = rule.proxies[role].selector;
  const pod = await readPod(kube, namespace, name);
  if (pod) {
    if (!withSelector(pod, selector)) return { problem: `pod ${namespace}/${name} is not a ${role} proxy of group ${rule.name} (selector ${selectorFromMap(selector)})` };
    if (!running(pod)) return { problem: `pod ${namespace}/${name} is not Running` };
    return { pod };
  }
  // What check-egress reports for a role without pods: true only while the role really has none.
  if (name === `${rule.name}-${role}` && result.outcome === 'failed') {
    const count = await runningPodsOf(kube, namespace, selector);
    return count === 0 ? {} : { problem: `the ${role} proxies of group ${rule.name} have ${count} Running pod(s): "no running pod" does not hold` };
  }
  return { problem: `pod ${namespace}/${name} does not exist` };
}
