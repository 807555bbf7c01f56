// The dependency kind's targets: each Service's ready endpoints, counted from its EndpointSlices.
// The API reads happen here, so a failing API server is a 503 (retry) rather than a failed dependency.
import type { PlanDeps, PlannedCheck } from '../../checks/planned-check.ts';
import { decided } from '../../checks/planned-check.ts';
import { unavailable } from '../../http/http-error.ts';
import { apiMessage, apiServerOf, apiStatus } from '../../kubernetes/client.ts';
import type { KubeClients } from '../../kubernetes/client.ts';
import type { Resolved } from '../kind.ts';
import { countReady, evaluateEndpoints } from './evaluate.ts';
import type { DependencyRule } from './rule.ts';

async function serviceCheck(kube: KubeClients, rule: Resolved<DependencyRule>, service: string): Promise<PlannedCheck> {
  const started = performance.now();
  let slices;
  try {
    slices = await kube.discovery.listNamespacedEndpointSlice(
      { namespace: rule.namespace, labelSelector: `kubernetes.io/service-name=${service}` },
      kube.options(),
    );
  } catch (error) {
    const status = apiStatus(error);
    throw unavailable(`kubernetes API server ${apiServerOf(kube)}: cannot list endpointslices of ${rule.namespace}/${service}${status ? ` [${status}]` : ''}: ${apiMessage(error)}`);
  }
  const latencyMs = Math.round(performance.now() - started);
  const verdict = evaluateEndpoints(countReady(slices.items), rule.minReady, latencyMs);
  return decided(rule, { namespace: rule.namespace, kind: 'Service', name: service }, verdict);
}

export async function planDependency(rule: Resolved<DependencyRule>, deps: PlanDeps): Promise<PlannedCheck[]> {
  const kube = await deps.kube();
  return Promise.all(rule.services.map((service) => serviceCheck(kube, rule, service)));
}
