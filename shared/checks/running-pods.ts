// Lists a rule's pods through the Kubernetes API, keeps the ones a probe can reach (Running, with a pod IP), and names them as targets.
import type { V1Pod } from '@kubernetes/client-node';
import type { Target } from '../events/schemas.ts';
import { unavailable } from '../http/http-error.ts';
import { apiMessage, apiStatus } from '../kubernetes/client.ts';
import type { KubeClients } from '../kubernetes/client.ts';
import { owningWorkload } from '../kubernetes/owner-chain.ts';
import type { Workload } from '../kubernetes/owner-chain.ts';

export interface RunningPod {
  namespace: string;
  name: string;
  ip: string;
  workload?: Workload;
  containers: string[];
}

/** Pure: which listed pods count as probe targets. */
export function runningPods(pods: readonly V1Pod[]): RunningPod[] {
  const out: RunningPod[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name;
    const ip = pod.status?.podIP;
    // A terminating pod may still say Running; it is on its way out and not what the rule is about.
    if (!name || !ip || pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp) continue;
    const workload = owningWorkload(pod.metadata ?? {});
    out.push({
      namespace: pod.metadata?.namespace ?? '',
      name,
      ip,
      ...(workload ? { workload } : {}),
      containers: (pod.spec?.containers ?? []).map((c) => c.name),
    });
  }
  return out;
}

/** A failed list is a 503: the ping is retried, since nothing could be checked. */
export async function listRunningPods(kube: KubeClients, namespace: string, labelSelector: string): Promise<RunningPod[]> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace, labelSelector }, kube.options());
    return runningPods(list.items).map((p) => ({ ...p, namespace: p.namespace || namespace }));
  } catch (error) {
    const status = apiStatus(error);
    throw unavailable(`kubernetes API: cannot list pods in ${namespace} (${labelSelector})${status ? ` [${status}]` : ''}: ${apiMessage(error)}`);
  }
}

/** A running pod as the target of its result; `address` is what the probe dials. */
export function podTarget(pod: RunningPod, address: string): Target {
  return { namespace: pod.namespace, kind: 'Pod', name: pod.name, ...(pod.workload ? { workload: pod.workload } : {}), address };
}
