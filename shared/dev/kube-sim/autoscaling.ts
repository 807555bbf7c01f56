// autoscaling/v2 HorizontalPodAutoscalers: get/list/patch with kube-apiserver's validation, and the one part of the
// HPA controller the simulator plays (no metrics): it holds the target Deployment within [minReplicas, maxReplicas].
import type { Cluster } from './cluster.ts';
import { filterList, listBody, metadataFields, objectBody } from './lists.ts';
import { applyPatch } from './patch.ts';
import { parseResourcePath, type ApiRequest, type ApiResponse } from './routing.ts';
import { invalid, methodNotAllowed, notFound, type FieldProblem, type GroupResource } from './status.ts';
import { newUid, type Store } from './store.ts';
import { MERGE_KEYS } from './strategic-merge.ts';
import type { HpaSpec } from './types.ts';
import { checkIdentity, decodeError } from './validation.ts';
import { isJsonObject, type HpaObject, type JsonObject } from './wire-types.ts';

const HPAS: GroupResource = { group: 'autoscaling', resource: 'horizontalpodautoscalers' };

function int32(doc: JsonObject, spec: JsonObject, field: string): number | undefined {
  const value = spec[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) decodeError(doc, `HorizontalPodAutoscalerSpec.spec.${field}`, 'int32', value);
  return value;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isJsonObject(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The checks of ValidateHorizontalPodAutoscalerSpec that matter here, in its order and with its messages. */
function specProblems(min: number | undefined, max: number, ref: JsonObject): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const f of ['kind', 'name']) {
    if (typeof ref[f] !== 'string' || ref[f] === '') problems.push({ field: `spec.scaleTargetRef.${f}`, reason: 'FieldValueRequired', detail: 'Required value' });
  }
  if (min !== undefined && min < 1) problems.push({ field: 'spec.minReplicas', reason: 'FieldValueInvalid', detail: `Invalid value: ${min}: must be greater than or equal to 1` });
  if (max < 1) problems.push({ field: 'spec.maxReplicas', reason: 'FieldValueInvalid', detail: `Invalid value: ${max}: must be greater than 0` });
  else if (min !== undefined && max < min) {
    problems.push({ field: 'spec.maxReplicas', reason: 'FieldValueInvalid', detail: `Invalid value: ${max}: must be greater than or equal to \`minReplicas\`` });
  }
  return problems;
}

export function hpaFromDoc(doc: JsonObject, current: HpaObject): HpaObject {
  checkIdentity(doc, HPAS, current.metadata);
  const spec = isJsonObject(doc['spec']) ? doc['spec'] : {};
  const min = int32(doc, spec, 'minReplicas');
  const max = int32(doc, spec, 'maxReplicas') ?? 0;
  const ref = isJsonObject(spec['scaleTargetRef']) ? spec['scaleTargetRef'] : {};
  const problems = specProblems(min, max, ref);
  if (problems.length > 0) throw invalid('HorizontalPodAutoscaler', 'autoscaling', current.metadata.name, problems);
  const meta = isJsonObject(doc['metadata']) ? doc['metadata'] : {};
  const labels = stringMap(meta['labels']);
  const annotations = stringMap(meta['annotations']);
  const { labels: _l, annotations: _a, ...kept } = current.metadata;
  const next: HpaObject = {
    ...current,
    metadata: { ...kept, ...(labels ? { labels } : {}), ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}) },
    // Checked above: the target names a kind and a name, the bounds are integers in order; minReplicas defaults to 1.
    spec: { ...(spec as unknown as HpaObject['spec']), minReplicas: min ?? 1, maxReplicas: max },
  };
  if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
  return next;
}

export function newHpa(spec: HpaSpec): HpaObject {
  if ((spec.minReplicas ?? 1) < 1 || spec.maxReplicas < (spec.minReplicas ?? 1)) throw new Error('kube-sim: an HPA needs 1 <= minReplicas <= maxReplicas');
  const owners = (spec.ownerReferences ?? []).map((o) => ({ ...o, uid: o.uid ?? newUid(), controller: true, blockOwnerDeletion: true }));
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: spec.name, namespace: spec.namespace, uid: '', resourceVersion: '', creationTimestamp: '', generation: 1, ...(owners.length > 0 ? { ownerReferences: owners } : {}) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.target },
      minReplicas: spec.minReplicas ?? 1,
      maxReplicas: spec.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
    status: { currentReplicas: 0, desiredReplicas: 0 },
  };
}

/** The HPA controller without metrics: a Deployment outside its HPA's bounds is moved to the nearest one.
 *  Returns whether a Deployment was rescaled (the controllers must run again). */
export function reconcileHpas(store: Store): boolean {
  let rescaled = false;
  for (const hpa of store.list('HorizontalPodAutoscaler')) {
    const ref = hpa.spec.scaleTargetRef;
    const d = ref.kind === 'Deployment' ? store.get('Deployment', hpa.metadata.namespace, ref.name) : undefined;
    if (!d) continue;
    const want = Math.min(Math.max(d.spec.replicas, hpa.spec.minReplicas ?? 1), hpa.spec.maxReplicas);
    if (want !== d.spec.replicas) {
      d.spec.replicas = want;
      d.metadata.generation = (d.metadata.generation ?? 1) + 1;
      store.put('Deployment', d);
      rescaled = true;
    }
    const current = typeof d.status['replicas'] === 'number' ? d.status['replicas'] : 0;
    const status = { observedGeneration: hpa.metadata.generation ?? 1, currentReplicas: current, desiredReplicas: want };
    if (JSON.stringify(status) !== JSON.stringify(hpa.status)) {
      hpa.status = status;
      store.put('HorizontalPodAutoscaler', hpa);
    }
  }
  return rescaled;
}

export function handleAutoscaling(req: ApiRequest, cluster: Cluster): ApiResponse | undefined {
  const path = parseResourcePath(req.segments.slice(3));
  if (!path || path.resource !== 'horizontalpodautoscalers' || path.subresource !== undefined) return undefined;
  const { store } = cluster;
  if (path.name === undefined) {
    if (req.method !== 'GET') throw methodNotAllowed();
    const items = filterList(store.list('HorizontalPodAutoscaler', path.namespace), req.query, metadataFields, []);
    return { status: 200, body: listBody('HorizontalPodAutoscalerList', 'autoscaling/v2', items, store.resourceVersion) };
  }
  if (path.namespace === undefined) return undefined;
  if (req.method !== 'GET' && req.method !== 'PATCH') throw methodNotAllowed();
  const hpa = store.get('HorizontalPodAutoscaler', path.namespace, path.name);
  if (!hpa) throw notFound(HPAS, path.name);
  if (req.method === 'GET') return { status: 200, body: objectBody(hpa) };
  // A stored object is plain JSON data; the typed view is only for the simulator's own code.
  const current = structuredClone(hpa) as unknown as JsonObject;
  const next = hpaFromDoc(applyPatch(req.contentType, current, req.body, MERGE_KEYS.HorizontalPodAutoscaler), hpa);
  if (JSON.stringify([next.spec, next.metadata]) !== JSON.stringify([hpa.spec, hpa.metadata])) {
    Object.assign(hpa, next);
    store.put('HorizontalPodAutoscaler', hpa);
    cluster.committed();
  }
  return { status: 200, body: objectBody(hpa) };
}
