// Lists a rule's pods through the Kubernetes API, tells the ones a probe may judge from those still starting or
// going away, and names them as targets.
import type { V1Pod } from '@kubernetes/client-node';
import type { Target } from '../events/schemas.ts';
import { unavailable } from '../http/http-error.ts';
import { apiMessage, apiServerOf, apiStatus } from '../kubernetes/client.ts';
import type { KubeClients } from '../kubernetes/client.ts';
import { owningWorkload } from '../kubernetes/owner-chain.ts';
import type { Workload } from '../kubernetes/owner-chain.ts';
import { notProbed } from '../probes/verdict.ts';
import type { ResolvedRule } from '../rules/load.ts';
import { decided } from './planned-check.ts';
import type { PlannedCheck } from './planned-check.ts';

/** Why a pod is reported neither passed nor failed: it is still starting, on its way out, or in its grace. */
export type NotProbed = 'not-started' | 'terminating' | 'startup-grace';

export interface RunningPod {
  namespace: string;
  name: string;
  /** Empty while the pod has no address yet (still starting). */
  ip: string;
  workload?: Workload;
  containers: string[];
  /** Its containers' restarts by the kubelet, summed: when it goes up, the failure count starts over. */
  restarts: number;
  /** Marked for deletion: whatever it answers, it is going away. */
  terminating: boolean;
  /** Every container started (past its startup probe), as the kubelet reports it. */
  started: boolean;
  /** When the kubelet started the pod (ms), if it did. */
  startedAt?: number;
}

/** Pure: why the pod must not be probed into a failure now, or undefined when it may be probed. */
export function notProbedReason(pod: RunningPod, startupGraceMs: number, now: number): NotProbed | undefined {
  if (pod.terminating) return 'terminating';
  if (!pod.started || pod.ip === '') return 'not-started';
  if (startupGraceMs > 0 && (pod.startedAt === undefined || now - pod.startedAt < startupGraceMs)) return 'startup-grace';
  return undefined;
}

/** Pure: the listed pods a rule is about: running or still starting, not those that ended (Succeeded, Failed). */
export function runningPods(pods: readonly V1Pod[]): RunningPod[] {
  const out: RunningPod[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name;
    const phase = pod.status?.phase;
    if (!name || (phase !== 'Running' && phase !== 'Pending')) continue;
    const workload = owningWorkload(pod.metadata ?? {});
    const statuses = pod.status?.containerStatuses ?? [];
    const startTime = pod.status?.startTime;
    out.push({
      namespace: pod.metadata?.namespace ?? '',
      name,
      ip: phase === 'Running' ? (pod.status?.podIP ?? '') : '',
      ...(workload ? { workload } : {}),
      containers: (pod.spec?.containers ?? []).map((c) => c.name),
      restarts: statuses.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
      terminating: Boolean(pod.metadata?.deletionTimestamp),
      started: statuses.length > 0 && statuses.every((c) => c.started === true),
      ...(startTime ? { startedAt: new Date(startTime).getTime() } : {}),
    });
  }
  return out;
}

/** One planned check per pod: probed by `build`, or reported as not probed (starting, terminating, in its grace). */
export function checksOfPods(
  rule: ResolvedRule,
  pods: readonly RunningPod[],
  opts: { now: number; startupGraceMs: number; target: (pod: RunningPod) => Target; proxy?: PlannedCheck['proxy'] },
  build: (pod: RunningPod) => PlannedCheck,
): PlannedCheck[] {
  return pods.map((pod) => {
    const reason = notProbedReason(pod, opts.startupGraceMs, opts.now);
    return reason ? decided(rule, opts.target(pod), notProbed(reason), opts.proxy) : build(pod);
  });
}

/** Pods per page of a list: a whole list of 10,000 pods would cost the function some 170 MB while it is parsed. */
export const LIST_PAGE_SIZE = 500;

/** A failed list is a 503: the ping is retried, since nothing could be checked. */
export async function listRunningPods(kube: KubeClients, namespace: string, labelSelector: string, pageSize = LIST_PAGE_SIZE): Promise<RunningPod[]> {
  try {
    // Page by page, each reduced to what a probe needs before the next is asked for.
    const out: RunningPod[] = [];
    let token: string | undefined;
    do {
      const list = await kube.core.listNamespacedPod({ namespace, labelSelector, limit: pageSize, ...(token ? { _continue: token } : {}) }, kube.options());
      for (const p of runningPods(list.items)) out.push({ ...p, namespace: p.namespace || namespace });
      token = list.metadata?._continue || undefined;
    } while (token);
    return out;
  } catch (error) {
    const status = apiStatus(error);
    throw unavailable(`kubernetes API server ${apiServerOf(kube)}: cannot list pods in ${namespace} (${labelSelector})${status ? ` [${status}]` : ''}: ${apiMessage(error)}`);
  }
}

/** A running pod as the target of its result; `address` is what the probe dials. */
export function podTarget(pod: RunningPod, address: string): Target {
  return { namespace: pod.namespace, kind: 'Pod', name: pod.name, ...(pod.workload ? { workload: pod.workload } : {}), ...(address ? { address } : {}), ...(pod.restarts > 0 ? { restarts: pod.restarts } : {}) };
}
