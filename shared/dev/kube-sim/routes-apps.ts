// apps/v1 routes: deployments (get/list/patch), their scale subresource (get/put/patch) and replicasets (get/list).
import type { Cluster } from './cluster.ts';
import { filterList, listBody, metadataFields, objectBody } from './lists.ts';
import { applyPatch } from './patch.ts';
import { parseResourcePath, type ApiRequest, type ApiResponse } from './routing.ts';
import { selectorString } from './selectors.ts';
import { badRequest, invalid, methodNotAllowed, notFound } from './status.ts';
import { MERGE_KEYS } from './strategic-merge.ts';
import { checkIdentity, DEPLOYMENTS, deploymentFromDoc, replicasOf } from './validation.ts';
import { isJsonObject, type DeploymentObject, type Json, type JsonObject } from './wire-types.ts';

const REPLICASETS = { group: 'apps', resource: 'replicasets' };

function scaleOf(d: DeploymentObject): JsonObject {
  const status = d.status['replicas'];
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace ?? 'default',
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec.replicas },
    status: { replicas: typeof status === 'number' ? status : 0, selector: selectorString(d.spec.selector) },
  };
}

// Applies a Scale document (from PUT or a patch) to its deployment, with Scale's own validation.
function writeScale(cluster: Cluster, d: DeploymentObject, doc: JsonObject): ApiResponse {
  checkIdentity(doc, DEPLOYMENTS, d.metadata);
  const replicas = replicasOf(doc, 'ScaleSpec.spec.replicas');
  if (replicas < 0) {
    throw invalid('Scale', 'autoscaling', d.metadata.name, [
      { field: 'spec.replicas', reason: 'FieldValueInvalid', detail: `Invalid value: ${replicas}: must be greater than or equal to 0` },
    ]);
  }
  if (replicas !== d.spec.replicas) {
    d.spec.replicas = replicas;
    d.metadata.generation = (d.metadata.generation ?? 1) + 1;
    cluster.store.put('Deployment', d);
    cluster.committed();
  }
  return { status: 200, body: scaleOf(d) };
}

function parseJsonBody(body: string): JsonObject {
  let parsed: Json;
  try {
    parsed = JSON.parse(body) as Json;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isJsonObject(parsed)) throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type struct`);
  return parsed;
}

export function handleApps(req: ApiRequest, cluster: Cluster): ApiResponse | undefined {
  const path = parseResourcePath(req.segments.slice(3));
  if (!path) return undefined;
  const { store } = cluster;
  const rv = store.resourceVersion;
  const { namespace: ns, resource, name, subresource } = path;

  if (resource === 'replicasets') {
    if (req.method !== 'GET') throw methodNotAllowed();
    if (name === undefined) return { status: 200, body: listBody('ReplicaSetList', 'apps/v1', filterList(store.list('ReplicaSet', ns), req.query, metadataFields, []), rv) };
    if (ns === undefined || subresource !== undefined) return undefined;
    const rs = store.get('ReplicaSet', ns, name);
    if (!rs) throw notFound(REPLICASETS, name);
    return { status: 200, body: objectBody(rs) };
  }

  if (resource !== 'deployments') return undefined;
  if (name === undefined) {
    if (req.method !== 'GET') throw methodNotAllowed();
    return { status: 200, body: listBody('DeploymentList', 'apps/v1', filterList(store.list('Deployment', ns), req.query, metadataFields, []), rv) };
  }
  if (ns === undefined) return undefined;
  const d = store.get('Deployment', ns, name);

  if (subresource === 'scale') {
    if (!['GET', 'PUT', 'PATCH'].includes(req.method)) throw methodNotAllowed();
    if (!d) throw notFound(DEPLOYMENTS, name);
    if (req.method === 'GET') return { status: 200, body: scaleOf(d) };
    if (req.method === 'PUT') return writeScale(cluster, d, parseJsonBody(req.body));
    return writeScale(cluster, d, applyPatch(req.contentType, scaleOf(d), req.body, MERGE_KEYS.Scale));
  }
  if (subresource !== undefined) return undefined;

  if (req.method !== 'GET' && req.method !== 'PATCH') throw methodNotAllowed();
  if (!d) throw notFound(DEPLOYMENTS, name);
  if (req.method === 'GET') return { status: 200, body: objectBody(d) };
  // A stored object is plain JSON data; the typed view is only for the simulator's own code.
  const current = structuredClone(d) as unknown as JsonObject;
  const next = deploymentFromDoc(applyPatch(req.contentType, current, req.body, MERGE_KEYS.Deployment), d);
  const changed = JSON.stringify([next.spec, next.metadata.labels, next.metadata.annotations]) !== JSON.stringify([d.spec, d.metadata.labels, d.metadata.annotations]);
  if (changed) {
    Object.assign(d, next);
    store.put('Deployment', d);
    cluster.committed();
  }
  return { status: 200, body: objectBody(d) };
}
