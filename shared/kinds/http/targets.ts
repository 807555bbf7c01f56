// The http kind's targets: one request per Running pod of the rule, over the shared pool or the rule's own TLS pool.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { checksOfPods, listRunningPods, podTarget } from '../../checks/running-pods.ts';
import type { RunningPod } from '../../checks/running-pods.ts';
import { hostPort } from '../../probes/host-port.ts';
import type { Resolved } from '../kind.ts';
import { probeHttp } from './probe.ts';
import type { HttpRule } from './rule.ts';
import { dispatcherFor } from './tls-dispatcher.ts';

/** The rule's request to one pod: what a run does per pod, and what the healer repeats before a restart. */
export function checkHttpPod(rule: Resolved<HttpRule>, pod: RunningPod, deps: PlanDeps): PlannedCheck {
  return {
    rule,
    target: podTarget(pod, hostPort(pod.ip, rule.port)),
    timeoutMs: rule.timeoutMs,
    run: (signal) => probeHttp(pod.ip, rule, dispatcherFor(rule, deps.http, deps.ca), signal),
  };
}

export async function planHttp(rule: Resolved<HttpRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const pods = await listRunningPods(await deps.kube(), rule.namespace, rule.labelSelector);
  const target = (pod: RunningPod) => podTarget(pod, hostPort(pod.ip, rule.port));
  return checksOfPods(rule, pods, { now: deps.now().getTime(), startupGraceMs: rule.startupGrace, target }, (pod) => checkHttpPod(rule, pod, deps));
}
