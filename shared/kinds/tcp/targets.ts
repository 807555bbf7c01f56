// The tcp kind's targets: one connection per Running pod of the rule.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { listRunningPods, podTarget } from '../../checks/running-pods.ts';
import { hostPort } from '../../probes/host-port.ts';
import type { Resolved } from '../kind.ts';
import { probeTcp } from './probe.ts';
import type { TcpRule } from './rule.ts';

export async function planTcp(rule: Resolved<TcpRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const pods = await listRunningPods(await deps.kube(), rule.namespace, rule.labelSelector);
  return pods.map((pod) => ({
    rule,
    target: podTarget(pod, hostPort(pod.ip, rule.port)),
    timeoutMs: rule.timeoutMs,
    run: (signal) => probeTcp(pod.ip, rule.port, rule.slowMs, signal),
  }));
}
