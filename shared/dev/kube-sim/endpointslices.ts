// EndpointSlice controller: one slice per selector-bearing Service, rebuilt from matching pods after every change.
import { randomSuffix } from './naming.ts';
import { isPodReady } from './pod-factory.ts';
import { mapSelectorMatches } from './selectors.ts';
import type { Store } from './store.ts';
import type { EndpointObject, EndpointSliceObject, ServiceObject, ServicePort, V1PodLike } from './wire-types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const MANAGED_BY = 'endpointslice-controller.k8s.io';

function targetPort(port: ServicePort, pod: V1PodLike): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  for (const c of pod.spec.containers) {
    const named = c.ports?.find((p) => p.name === port.targetPort);
    if (named) return named.containerPort;
  }
  return undefined;
}

function desiredSlice(svc: ServiceObject, pods: V1PodLike[]): Pick<EndpointSliceObject, 'endpoints' | 'ports'> {
  const endpoints: EndpointObject[] = pods.map((pod) => {
    const ready = isPodReady(pod);
    return {
      addresses: [pod.status.podIP],
      conditions: { ready, serving: ready, terminating: false },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: pod.metadata.uid },
      nodeName: pod.spec.nodeName ?? '',
    };
  });
  const sample = pods[0];
  const ports = svc.spec.ports.map((p) => ({
    name: p.name ?? '',
    protocol: p.protocol,
    port: (sample ? targetPort(p, sample) : undefined) ?? (typeof p.targetPort === 'number' ? p.targetPort : p.port),
  }));
  return { endpoints: endpoints.length === 0 ? null : endpoints, ports };
}

function isManagedFor(slice: EndpointSliceObject, svc: { metadata: { name: string } }): boolean {
  return slice.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name && slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

export function reconcileEndpointSlices(store: Store): void {
  const services = store.list('Service');
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? 'default';
    const existing = store.list('EndpointSlice', ns).find((s) => isManagedFor(s, svc));
    const selector = svc.spec.selector ?? {};
    // The controller ignores services without a selector (an empty map decodes to none after storage).
    if (Object.keys(selector).length === 0) {
      if (existing) store.remove('EndpointSlice', ns, existing.metadata.name);
      continue;
    }
    const pods = store
      .list('Pod', ns)
      .filter((p) => !p.metadata.deletionTimestamp && p.status.podIP && mapSelectorMatches(selector, p.metadata.labels))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const desired = desiredSlice(svc, pods);
    const labels = { ...svc.metadata.labels, [SERVICE_NAME_LABEL]: svc.metadata.name, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (!existing) {
      store.put('EndpointSlice', {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${svc.metadata.name}-${randomSuffix(5)}`,
          generateName: `${svc.metadata.name}-`,
          namespace: ns,
          uid: '',
          resourceVersion: '',
          creationTimestamp: '',
          generation: 1,
          labels,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        addressType: 'IPv4',
        ...desired,
      });
      continue;
    }
    const before = JSON.stringify([existing.endpoints, existing.ports, existing.metadata.labels]);
    if (before !== JSON.stringify([desired.endpoints, desired.ports, labels])) {
      existing.endpoints = desired.endpoints;
      existing.ports = desired.ports;
      existing.metadata.labels = labels;
      existing.metadata.generation = (existing.metadata.generation ?? 1) + 1;
      store.put('EndpointSlice', existing);
    }
  }
  // Slices of deleted services go away with their owner (garbage collection).
  for (const slice of store.list('EndpointSlice')) {
    const owner = slice.metadata.ownerReferences?.[0];
    if (owner && !services.some((s) => s.metadata.uid === owner.uid)) {
      store.remove('EndpointSlice', slice.metadata.namespace, slice.metadata.name);
    }
  }
}
