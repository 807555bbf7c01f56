// core/v1 routes: namespaces, pods (get/list/delete/eviction) and services (get/list/patch).
import type { Cluster } from './cluster.ts';
import { filterList, listBody, metadataFields, objectBody, pageOf } from './lists.ts';
import { applyPatch } from './patch.ts';
import { MERGE_KEYS } from './strategic-merge.ts';
import { parseResourcePath, type ApiRequest, type ApiResponse } from './routing.ts';
import { badRequest, conflict, methodNotAllowed, notFound, success } from './status.ts';
import { PODS, SERVICES, serviceFromDoc } from './validation.ts';
import { isJsonObject, toJson, type Json, type V1PodLike } from './wire-types.ts';

const NAMESPACES = { group: '', resource: 'namespaces' };

// Field labels the pod field-label conversion accepts.
const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.podIPs',
  'status.nominatedNodeName',
] as const;

function podFields(pod: V1PodLike): Record<string, string> {
  return {
    ...metadataFields(pod),
    'spec.nodeName': pod.spec.nodeName ?? '',
    'spec.restartPolicy': pod.spec.restartPolicy,
    'spec.schedulerName': pod.spec.schedulerName,
    'spec.serviceAccountName': pod.spec.serviceAccountName,
    'spec.hostNetwork': 'false',
    'status.phase': pod.status.phase,
    'status.podIP': pod.status.podIP,
    'status.podIPs': pod.status.podIP,
    'status.nominatedNodeName': '',
  };
}

function parseBody(req: ApiRequest): Json {
  if (req.body.trim() === '') return null;
  try {
    return JSON.parse(req.body) as Json;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** DeleteOptions.preconditions, as the storage layer checks them at delete: a mismatch is 409 Conflict. */
function checkPreconditions(pod: V1PodLike, pre: Json | undefined): void {
  if (!isJsonObject(pre)) return;
  if (typeof pre['uid'] === 'string' && pre['uid'] !== pod.metadata.uid) {
    throw conflict(PODS, pod.metadata.name, `Precondition failed: UID in precondition: ${pre['uid']}, UID in object meta: ${pod.metadata.uid}`);
  }
  if (typeof pre['resourceVersion'] === 'string' && pre['resourceVersion'] !== pod.metadata.resourceVersion) {
    throw conflict(
      PODS,
      pod.metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${pre['resourceVersion']}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`,
    );
  }
}

function deletePod(req: ApiRequest, cluster: Cluster, pod: V1PodLike): ApiResponse {
  const options = parseBody(req);
  let grace = pod.spec.terminationGracePeriodSeconds;
  const q = req.query.get('gracePeriodSeconds');
  if (q !== null && /^\d+$/.test(q)) grace = Number(q);
  if (isJsonObject(options)) {
    if (typeof options['gracePeriodSeconds'] === 'number') grace = options['gracePeriodSeconds'];
    checkPreconditions(pod, options['preconditions']);
  }
  return { status: 200, body: objectBody(cluster.deletePod(pod, grace)) };
}

function evict(req: ApiRequest, cluster: Cluster, pod: V1PodLike): ApiResponse {
  const body = parseBody(req);
  const meta = isJsonObject(body) && isJsonObject(body['metadata']) ? body['metadata'] : {};
  if (meta['name'] !== pod.metadata.name) throw badRequest('name in URL does not match name in Eviction object');
  const options = isJsonObject(body) ? body['deleteOptions'] : undefined;
  // The budget is checked first; the preconditions hold at the delete that follows.
  cluster.evictPod(pod, () => checkPreconditions(pod, isJsonObject(options) ? options['preconditions'] : undefined));
  return { status: 201, body: success(201) };
}

export function handleCore(req: ApiRequest, cluster: Cluster): ApiResponse | undefined {
  const path = parseResourcePath(req.segments.slice(2));
  if (!path) return undefined;
  const { store } = cluster;
  const rv = store.resourceVersion;
  const { namespace: ns, resource, name, subresource } = path;

  if (resource === 'namespaces' && ns === undefined) {
    if (req.method !== 'GET') throw methodNotAllowed();
    if (name === undefined) return { status: 200, body: listBody('NamespaceList', 'v1', filterList(store.list('Namespace'), req.query, metadataFields, []), rv) };
    const found = store.get('Namespace', undefined, name);
    if (!found) throw notFound(NAMESPACES, name);
    return { status: 200, body: objectBody(found) };
  }

  if (resource === 'pods') {
    if (name === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed();
      const page = pageOf(filterList(store.list('Pod', ns), req.query, podFields, POD_FIELDS), req.query, rv);
      return { status: 200, body: listBody('PodList', 'v1', page.items, page.resourceVersion, page.more) };
    }
    if (ns === undefined) return undefined;
    const pod = store.get('Pod', ns, name);
    if (subresource === undefined) {
      if (req.method !== 'GET' && req.method !== 'DELETE') throw methodNotAllowed();
      if (!pod) throw notFound(PODS, name);
      return req.method === 'GET' ? { status: 200, body: objectBody(pod) } : deletePod(req, cluster, pod);
    }
    if (subresource === 'eviction') {
      if (req.method !== 'POST') throw methodNotAllowed();
      if (!pod) throw notFound(PODS, name);
      return evict(req, cluster, pod);
    }
    if (subresource === 'exec') {
      if (!pod) throw notFound(PODS, name);
      throw badRequest('Upgrade request required');
    }
    return undefined;
  }

  if (resource === 'services') {
    if (name === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed();
      return { status: 200, body: listBody('ServiceList', 'v1', filterList(store.list('Service', ns), req.query, metadataFields, []), rv) };
    }
    if (ns === undefined || subresource !== undefined) return undefined;
    if (req.method !== 'GET' && req.method !== 'PATCH') throw methodNotAllowed();
    const svc = store.get('Service', ns, name);
    if (!svc) throw notFound(SERVICES, name);
    if (req.method === 'GET') return { status: 200, body: objectBody(svc) };
    const patched = applyPatch(req.contentType, toJson(svc), req.body, MERGE_KEYS.Service);
    const next = serviceFromDoc(patched, svc);
    Object.assign(svc, next);
    store.put('Service', svc);
    cluster.committed();
    return { status: 200, body: objectBody(svc) };
  }
  return undefined;
}
