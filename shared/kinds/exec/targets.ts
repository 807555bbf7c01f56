// The exec kind's targets: the command runs once per Running pod of the rule, in the named or the first container.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { decided } from '../../checks/planned-check.ts';
import { checksOfPods, listRunningPods, podTarget } from '../../checks/running-pods.ts';
import type { RunningPod } from '../../checks/running-pods.ts';
import type { KubeClients } from '../../kubernetes/client.ts';
import { failed } from '../../probes/verdict.ts';
import type { Resolved } from '../kind.ts';
import { probeExec } from './probe.ts';
import type { ExecFn } from './probe.ts';
import type { ExecRule } from './rule.ts';

/** The rule's command in one pod: what a run does per pod, and what the healer repeats before a restart. */
export function checkExecPod(rule: Resolved<ExecRule>, pod: RunningPod, kube: KubeClients): PlannedCheck {
  const target = podTarget(pod, pod.ip);
  const container = rule.container ?? pod.containers[0];
  if (container === undefined) return decided(rule, target, failed({ latencyMs: 0, error: 'pod has no containers to exec in' }));
  // The client's socket type is wider than what the probe uses; this is the one place the two meet.
  const exec = kube.exec.exec.bind(kube.exec) as unknown as ExecFn;
  return {
    rule,
    target,
    timeoutMs: rule.timeoutMs,
    run: (signal) => probeExec(exec, { namespace: pod.namespace, pod: pod.name, container, command: rule.command, outputLimit: rule.outputLimit }, signal),
  };
}

export async function planExec(rule: Resolved<ExecRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const kube = await deps.kube();
  const pods = await listRunningPods(kube, rule.namespace, rule.labelSelector);
  const target = (pod: RunningPod) => podTarget(pod, pod.ip);
  return checksOfPods(rule, pods, { now: deps.now().getTime(), startupGraceMs: rule.startupGrace, target }, (pod) => checkExecPod(rule, pod, kube));
}
