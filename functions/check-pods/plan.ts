// check-pods' planner: one probe per Running pod of each http, tcp or exec rule.
import type { CheckDeps, Planner } from '../../shared/checks/check-handler.ts';
import { decided } from '../../shared/checks/planned-check.ts';
import type { PlannedCheck } from '../../shared/checks/planned-check.ts';
import { listRunningPods } from '../../shared/checks/running-pods.ts';
import type { RunningPod } from '../../shared/checks/running-pods.ts';
import type { Target } from '../../shared/events/schemas.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import { probeExec } from '../../shared/kinds/exec/probe.ts';
import type { ExecFn } from '../../shared/kinds/exec/probe.ts';
import { hostPort } from '../../shared/probes/host-port.ts';
import { probeHttp } from '../../shared/kinds/http/probe.ts';
import { dispatcherFor } from '../../shared/kinds/http/tls-dispatcher.ts';
import { probeTcp } from '../../shared/kinds/tcp/probe.ts';
import { failed } from '../../shared/probes/verdict.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import { isPodRule } from '../../shared/rules/schema.ts';
import type { PodRule } from '../../shared/rules/schema.ts';

function podTarget(pod: RunningPod, address: string): Target {
  return { namespace: pod.namespace, kind: 'Pod', name: pod.name, ...(pod.workload ? { workload: pod.workload } : {}), address };
}

function podCheck(rule: PodRule & ResolvedRule, pod: RunningPod, kube: KubeClients, deps: CheckDeps): PlannedCheck {
  switch (rule.kind) {
    case 'http':
      return {
        rule,
        target: podTarget(pod, hostPort(pod.ip, rule.port)),
        timeoutMs: rule.timeoutMs,
        run: (signal) => probeHttp(pod.ip, rule, dispatcherFor(rule, deps.http, deps.ca), signal),
      };
    case 'tcp':
      return {
        rule,
        target: podTarget(pod, hostPort(pod.ip, rule.port)),
        timeoutMs: rule.timeoutMs,
        run: (signal) => probeTcp(pod.ip, rule.port, rule.slowMs, signal),
      };
    case 'exec': {
      const target = podTarget(pod, pod.ip);
      const container = rule.container ?? pod.containers[0];
      if (container === undefined) return decided(rule, target, failed({ latencyMs: 0, error: 'pod has no containers to exec in' }));
      // The client's socket type is wider than what the probe uses; this is the one place the two meet.
      const exec = kube.exec.exec.bind(kube.exec) as unknown as ExecFn;
      return {
        rule,
        target,
        timeoutMs: rule.timeoutMs,
        run: (signal) =>
          probeExec(exec, { namespace: pod.namespace, pod: pod.name, container, command: rule.command, outputLimit: rule.outputLimit }, signal),
      };
    }
  }
}

export const planPodChecks: Planner = async (rules, deps) => {
  const kube = await deps.kube();
  const perRule = await Promise.all(
    rules
      .filter((r): r is PodRule & ResolvedRule => isPodRule(r))
      .map(async (rule) => {
        const pods = await listRunningPods(kube, rule.namespace, rule.labelSelector);
          return pods.map((pod) => podCheck(rule, pod, kube, deps));
      }),
  );
  return perRule.flat();
};
