// check-egress' planner: every Running pod of each proxy role fetches the rule's URLs; a role without pods fails.
import type { CheckDeps, Planner } from '../../shared/checks/check-handler.ts';
import { decided } from '../../shared/checks/planned-check.ts';
import type { PlannedCheck } from '../../shared/checks/planned-check.ts';
import { listRunningPods } from '../../shared/checks/running-pods.ts';
import type { ProxyRole } from '../../shared/events/schemas.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import { probeEgress } from '../../shared/kinds/egress/probe.ts';
import { hostPort } from '../../shared/probes/host-port.ts';
import { failed } from '../../shared/probes/verdict.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import { selectorFromMap } from '../../shared/rules/label-selector.ts';
import type { EgressRule } from '../../shared/rules/schema.ts';

const ROLES: readonly ProxyRole[] = ['primary', 'secondary'];
/** The URLs carry their own timeouts; the runner's limit is only a backstop behind them. */
const BACKSTOP_MS = 1_000;

async function roleChecks(kube: KubeClients, deps: CheckDeps, rule: EgressRule & ResolvedRule, role: ProxyRole): Promise<PlannedCheck[]> {
  const config = rule.proxies[role];
  const proxy = { group: rule.name, role };
  const pods = await listRunningPods(kube, rule.namespace, selectorFromMap(config.selector));
  if (pods.length === 0) {
    const target = { namespace: rule.namespace, kind: 'Proxy' as const, name: `${rule.name}-${role}` };
    return [decided(rule, target, failed({ latencyMs: 0, error: 'no running pod' }), proxy)];
  }
  const expect = { urls: rule.urls, expectedStatus: rule.expectedStatus, timeoutMs: rule.timeoutMs };
  return pods.map((pod) => {
    const address = hostPort(pod.ip, config.port);
    return {
      rule,
      target: { namespace: pod.namespace, kind: 'Proxy', name: pod.name, ...(pod.workload ? { workload: pod.workload } : {}), address },
      proxy,
      timeoutMs: rule.timeoutMs + BACKSTOP_MS,
      run: (signal: AbortSignal) => probeEgress(`http://${address}`, expect, deps.ca, signal),
    };
  });
}

export const planEgressChecks: Planner = async (rules, deps) => {
  const kube = await deps.kube();
  const egress = rules.filter((r): r is EgressRule & ResolvedRule => r.kind === 'egress');
  const perRole = await Promise.all(egress.flatMap((rule) => ROLES.map((role) => roleChecks(kube, deps, rule, role))));
  return perRole.flat();
};
