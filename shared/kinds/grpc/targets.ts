// The grpc kind's targets: one health check per Running pod of the rule, on a connection of its own.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { checksOfPods, listRunningPods, podTarget } from '../../checks/running-pods.ts';
import type { RunningPod } from '../../checks/running-pods.ts';
import { hostPort } from '../../probes/host-port.ts';
import type { Resolved } from '../kind.ts';
import { loadGrpc } from './grpc-module.ts';
import { probeGrpc } from './probe.ts';
import type { GrpcRule } from './rule.ts';

function grpcCheck(mod: Awaited<ReturnType<typeof loadGrpc>>, rule: Resolved<GrpcRule>, pod: RunningPod, deps: PlanDeps): PlannedCheck {
  const address = hostPort(pod.ip, rule.port);
  return {
    rule,
    target: podTarget(pod, address),
    timeoutMs: rule.timeoutMs,
    run: (signal) => probeGrpc(mod, address, rule, deps.ca, signal),
  };
}

/** The rule's health check of one pod: what a run does per pod, and what the healer repeats before a restart. */
export async function checkGrpcPod(rule: Resolved<GrpcRule>, pod: RunningPod, deps: PlanDeps): Promise<PlannedCheck> {
  // Loaded while planning, so that the first probe's timeout is not spent importing grpc-js.
  return grpcCheck(await loadGrpc(), rule, pod, deps);
}

export async function planGrpc(rule: Resolved<GrpcRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const pods = await listRunningPods(await deps.kube(), rule.namespace, rule.labelSelector);
  if (pods.length === 0) return [];
  const mod = await loadGrpc();
  const target = (pod: RunningPod) => podTarget(pod, hostPort(pod.ip, rule.port));
  return checksOfPods(rule, pods, { now: deps.now().getTime(), startupGraceMs: rule.startupGrace, target }, (pod) => grpcCheck(mod, rule, pod, deps));
}
