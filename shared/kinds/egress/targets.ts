// The egress kind's targets: every Running pod of each proxy role fetches the rule's URLs; a role without pods fails.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { decided } from '../../checks/planned-check.ts';
import { checksOfPods, listRunningPods, podTarget } from '../../checks/running-pods.ts';
import type { RunningPod } from '../../checks/running-pods.ts';
import type { Target } from '../../events/schemas.ts';
import type { ProxyRole } from '../../events/schemas.ts';
import type { KubeClients } from '../../kubernetes/client.ts';
import { hostPort } from '../../probes/host-port.ts';
import { failed } from '../../probes/verdict.ts';
import { selectorFromMap } from '../../rules/label-selector.ts';
import type { Resolved } from '../kind.ts';
import { probeEgress } from './probe.ts';
import type { EgressRule } from './rule.ts';

const ROLES: readonly ProxyRole[] = ['primary', 'secondary'];
/** The URLs carry their own timeouts; the runner's limit is only a backstop behind them. */
const BACKSTOP_MS = 1_000;

async function roleChecks(kube: KubeClients, deps: PlanDeps, rule: Resolved<EgressRule>, role: ProxyRole): Promise<PlannedCheck[]> {
  const config = rule.proxies[role];
  const proxy = { group: rule.name, role };
  const pods = await listRunningPods(kube, rule.namespace, selectorFromMap(config.selector));
  if (pods.length === 0) {
    const target = { namespace: rule.namespace, kind: 'Proxy' as const, name: `${rule.name}-${role}` };
    return [decided(rule, target, failed({ latencyMs: 0, error: 'no running pod' }), proxy)];
  }
  const expect = { urls: rule.urls, expectedStatus: rule.expectedStatus, timeoutMs: rule.timeoutMs };
  const target = (pod: RunningPod): Target => ({ ...podTarget(pod, pod.ip === '' ? '' : hostPort(pod.ip, config.port)), kind: 'Proxy' });
  // A proxy pod still starting or going away is no verdict on its role: its results are neither passes nor failures.
  return checksOfPods(rule, pods, { now: deps.now().getTime(), startupGraceMs: 0, target, proxy }, (pod) => ({
    rule,
    target: target(pod),
    proxy,
    timeoutMs: rule.timeoutMs + BACKSTOP_MS,
    run: (signal: AbortSignal) => probeEgress(`http://${hostPort(pod.ip, config.port)}`, expect, deps.ca, signal),
  }));
}

export async function planEgress(rule: Resolved<EgressRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const kube = await deps.kube();
  const perRole = await Promise.all(ROLES.map((role) => roleChecks(kube, deps, rule, role)));
  return perRole.flat();
}
