// The tcp kind's targets: one connection per Running pod of the rule.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { checksOfPods, listRunningPods, podTarget } from '../../checks/running-pods.ts';
import type { RunningPod } from '../../checks/running-pods.ts';
import { hostPort } from '../../probes/host-port.ts';
import type { Resolved } from '../kind.ts';
import { probeTcp } from './probe.ts';
import type { TcpRule } from './rule.ts';

/** The rule's connection to one pod: what a run does per pod, and what the healer repeats before a restart. */
export function checkTcpPod(rule: Resolved<TcpRule>, pod: RunningPod): PlannedCheck {
  return {
    rule,
    target: podTarget(pod, hostPort(pod.ip, rule.port)),
    timeoutMs: rule.timeoutMs,
    run: (signal) => probeTcp(pod.ip, rule.port, rule.slowMs, signal),
  };
}

export async function planTcp(rule: Resolved<TcpRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const pods = await listRunningPods(await deps.kube(), rule.namespace, rule.labelSelector);
  const target = (pod: RunningPod) => podTarget(pod, hostPort(pod.ip, rule.port));
  return checksOfPods(rule, pods, { now: deps.now().getTime(), startupGraceMs: rule.startupGrace, target }, (pod) => checkTcpPod(rule, pod));
}
