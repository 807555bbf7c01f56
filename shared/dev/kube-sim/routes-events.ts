// events.k8s.io/v1 events: create, get, list (fieldSelector on regarding.*, reportingController, reason, type) and
// patch, with the API server's validation of the fields an Event must carry.
import type { Cluster } from './cluster.ts';
import { filterList, listBody, metadataFields, objectBody } from './lists.ts';
import { applyPatch } from './patch.ts';
import { parseResourcePath, type ApiRequest, type ApiResponse } from './routing.ts';
import { badRequest, conflict, invalid, methodNotAllowed, notFound, type FieldProblem } from './status.ts';
import { isJsonObject, toJson, type Json, type EventObject, type JsonObject } from './wire-types.ts';

export const EVENTS = { group: 'events.k8s.io', resource: 'events' };


const EVENT_FIELDS = [
  'regarding.kind',
  'regarding.namespace',
  'regarding.name',
  'regarding.uid',
  'reportingController',
  'reason',
  'type',
] as const;

function str(obj: Json | undefined, key: string): string {
  return isJsonObject(obj) && typeof obj[key] === 'string' ? (obj[key] as string) : '';
}

function eventFields(e: EventObject): Record<string, string> {
  const regarding = e['regarding'] as Json;
  return {
    ...metadataFields(e),
    'regarding.kind': str(regarding, 'kind'),
    'regarding.namespace': str(regarding, 'namespace'),
    'regarding.name': str(regarding, 'name'),
    'regarding.uid': str(regarding, 'uid'),
    reportingController: str(e as unknown as JsonObject, 'reportingController'),
    reason: str(e as unknown as JsonObject, 'reason'),
    type: str(e as unknown as JsonObject, 'type'),
  };
}

/** What ValidateEventCreate/Update require of an events.k8s.io/v1 Event. */
function validate(doc: JsonObject, name: string): void {
  const problems: FieldProblem[] = [];
  const required = (field: string) => problems.push({ field, reason: 'FieldValueRequired', detail: 'Required value' });
  if (!doc['eventTime']) required('eventTime');
  for (const field of ['reportingController', 'reportingInstance', 'action', 'reason']) {
    if (typeof doc[field] !== 'string' || doc[field] === '') required(field);
  }
  const type = doc['type'];
  if (type !== 'Normal' && type !== 'Warning') {
    problems.push({ field: 'type', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(type ?? '')}: has invalid value: ${String(type ?? '')}` });
  }
  if (!isJsonObject(doc['regarding'])) required('regarding');
  if (typeof doc['note'] === 'string' && doc['note'].length > 1024) {
    problems.push({ field: 'note', reason: 'FieldValueTooLong', detail: 'Too long: may not be more than 1024 bytes' });
  }
  if (problems.length > 0) throw invalid('Event', EVENTS.group, name, problems);
}

function parse(body: string): JsonObject {
  try {
    const doc = JSON.parse(body) as Json;
    if (isJsonObject(doc)) return doc;
  } catch {
    // answered below
  }
  throw badRequest("couldn't get version/kind; json parse error");
}

function create(req: ApiRequest, cluster: Cluster, namespace: string): ApiResponse {
  const doc = parse(req.body);
  const meta = isJsonObject(doc['metadata']) ? doc['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (name === '') throw invalid('Event', EVENTS.group, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', detail: 'Required value: name or generateName is required' }]);
  validate(doc, name);
  if (cluster.store.get('Event', namespace, name)) throw conflict(EVENTS, name, 'already exists');
  const event = { ...doc, apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { ...meta, name, namespace, uid: '', resourceVersion: '', creationTimestamp: '' } } as EventObject;
  cluster.store.put('Event', event);
  return { status: 201, body: objectBody(event) };
}

export function handleEvents(req: ApiRequest, cluster: Cluster): ApiResponse | undefined {
  const path = parseResourcePath(req.segments.slice(3));
  if (!path || path.resource !== 'events' || path.subresource !== undefined) return undefined;
  const ns = path.namespace;
  if (path.name === undefined) {
    if (req.method === 'POST' && ns !== undefined) return create(req, cluster, ns);
    if (req.method !== 'GET') throw methodNotAllowed();
    const all = cluster.store.list('Event', ns);
    const items = filterList(all, req.query, eventFields, EVENT_FIELDS);
    return { status: 200, body: listBody('EventList', 'events.k8s.io/v1', items, cluster.store.resourceVersion) };
  }
  if (ns === undefined) return undefined;
  const event = cluster.store.get('Event', ns, path.name);
  if (!event) throw notFound(EVENTS, path.name);
  if (req.method === 'GET') return { status: 200, body: objectBody(event) };
  if (req.method !== 'PATCH') throw methodNotAllowed();
  const patched = applyPatch(req.contentType, toJson(event), req.body, {});
  validate(patched, path.name);
  const next = { ...patched, apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: event.metadata } as EventObject;
  for (const key of Object.keys(event)) delete (event as Record<string, unknown>)[key];
  Object.assign(event, next);
  cluster.store.put('Event', event);
  return { status: 200, body: objectBody(event) };
}
