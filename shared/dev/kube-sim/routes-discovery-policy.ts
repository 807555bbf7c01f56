// discovery.k8s.io/v1 endpointslices and policy/v1 poddisruptionbudgets: read-only routes (get/list).
import type { Cluster } from './cluster.ts';
import { filterList, listBody, metadataFields, objectBody } from './lists.ts';
import { parseResourcePath, type ApiRequest, type ApiResponse } from './routing.ts';
import { methodNotAllowed, notFound } from './status.ts';

const ENDPOINTSLICES = { group: 'discovery.k8s.io', resource: 'endpointslices' };
const PDBS = { group: 'policy', resource: 'poddisruptionbudgets' };

export function handleDiscovery(req: ApiRequest, cluster: Cluster): ApiResponse | undefined {
  const path = parseResourcePath(req.segments.slice(3));
  if (!path || path.resource !== 'endpointslices' || path.subresource !== undefined) return undefined;
  if (req.method !== 'GET') throw methodNotAllowed();
  const { store } = cluster;
  if (path.name === undefined) {
    const items = filterList(store.list('EndpointSlice', path.namespace), req.query, metadataFields, []);
    return { status: 200, body: listBody('EndpointSliceList', 'discovery.k8s.io/v1', items, store.resourceVersion) };
  }
  if (path.namespace === undefined) return undefined;
  const slice = store.get('EndpointSlice', path.namespace, path.name);
  if (!slice) throw notFound(ENDPOINTSLICES, path.name);
  return { status: 200, body: objectBody(slice) };
}

export function handlePolicy(req: ApiRequest, cluster: Cluster): ApiResponse | undefined {
  const path = parseResourcePath(req.segments.slice(3));
  if (!path || path.resource !== 'poddisruptionbudgets' || path.subresource !== undefined) return undefined;
  if (req.method !== 'GET') throw methodNotAllowed();
  const { store } = cluster;
  if (path.name === undefined) {
    const items = filterList(store.list('PodDisruptionBudget', path.namespace), req.query, metadataFields, []);
    return { status: 200, body: listBody('PodDisruptionBudgetList', 'policy/v1', items, store.resourceVersion) };
  }
  if (path.namespace === undefined) return undefined;
  const pdb = store.get('PodDisruptionBudget', path.namespace, path.name);
  if (!pdb) throw notFound(PDBS, path.name);
  return { status: 200, body: objectBody(pdb) };
}
