// check-dependencies' planner: counts each Service's ready endpoints from its EndpointSlices.
// The API reads happen here, so a failing API server is a 503 (retry) rather than a failed dependency.
import type { Planner } from '../../shared/checks/check-handler.ts';
import { decided } from '../../shared/checks/planned-check.ts';
import type { PlannedCheck } from '../../shared/checks/planned-check.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import { apiMessage, apiStatus } from '../../shared/kubernetes/client.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import { countReady, evaluateEndpoints } from '../../shared/kinds/dependency/evaluate.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import type { DependencyRule } from '../../shared/rules/schema.ts';

async function serviceCheck(kube: KubeClients, rule: DependencyRule & ResolvedRule, service: string): Promise<PlannedCheck> {
  const started = performance.now();
  let slices;
  try {
    slices = await kube.discovery.listNamespacedEndpointSlice(
      { namespace: rule.namespace, labelSelector: `kubernetes.io/service-name=${service}` },
      kube.options(),
    );
  } catch (error) {
    const status = apiStatus(error);
    throw unavailable(`kubernetes API: cannot list endpointslices of ${rule.namespace}/${service}${status ? ` [${status}]` : ''}: ${apiMessage(error)}`);
  }
  const latencyMs = Math.round(performance.now() - started);
  const verdict = evaluateEndpoints(countReady(slices.items), rule.minReady, latencyMs);
  return decided(rule, { namespace: rule.namespace, kind: 'Service', name: service }, verdict);
}

export const planDependencyChecks: Planner = async (rules, deps) => {
  const kube = await deps.kube();
  const checks = rules.flatMap((rule) =>
    rule.kind === 'dependency' ? rule.services.map((svc) => serviceCheck(kube, rule as DependencyRule & ResolvedRule, svc)) : [],
  );
  return Promise.all(checks);
};
