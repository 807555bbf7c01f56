// Turns a patched/replaced JSON document back into a stored object, rejecting what kube-apiserver's validation rejects.
import { selectorMatches } from './selectors.ts';
import { badRequest, conflict, invalid, STALE_OBJECT, type FieldProblem, type GroupResource } from './status.ts';
import { isJsonObject, type DeploymentObject, type Json, type JsonObject, type ServiceObject, type ServicePort } from './wire-types.ts';

export const DEPLOYMENTS: GroupResource = { group: 'apps', resource: 'deployments' };
export const SERVICES: GroupResource = { group: '', resource: 'services' };
export const PODS: GroupResource = { group: '', resource: 'pods' };

function meta(doc: JsonObject): JsonObject {
  const m = doc['metadata'];
  return isJsonObject(m) ? m : {};
}

function goKind(value: Json | undefined): string {
  if (Array.isArray(value)) return 'array';
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return 'object';
}

// What runtime.DecodeInto reports when a field has the wrong JSON type.
export function decodeError(doc: JsonObject, goField: string, goType: string, value: Json | undefined): never {
  throw invalid('', '', '', [
    {
      field: 'patch',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: ${JSON.stringify(JSON.stringify(doc))}: json: cannot unmarshal ${goKind(value)} into Go struct field ${goField} of type ${goType}`,
    },
  ]);
}

// Name, namespace and optimistic-concurrency checks every update goes through.
export function checkIdentity(
  doc: JsonObject,
  gr: GroupResource,
  current: { name: string; namespace?: string; uid: string; resourceVersion: string },
): void {
  const m = meta(doc);
  const name = m['name'];
  if (typeof name === 'string' && name !== current.name) {
    throw badRequest(`the name of the object (${name}) does not match the name on the URL (${current.name})`);
  }
  const ns = m['namespace'];
  if (typeof ns === 'string' && ns !== '' && ns !== current.namespace) {
    throw badRequest(`the namespace of the object (${ns}) does not match the namespace on the URL (${current.namespace ?? ''})`);
  }
  const uid = m['uid'];
  if (typeof uid === 'string' && uid !== '' && uid !== current.uid) {
    throw conflict(gr, current.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.uid}`);
  }
  const rv = m['resourceVersion'];
  if (typeof rv === 'string' && rv !== '' && rv !== current.resourceVersion) throw conflict(gr, current.name, STALE_OBJECT);
}

function stringMap(value: Json | undefined): Record<string, string> | undefined {
  if (!isJsonObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function goMap(m: Record<string, string>): string {
  return `map[string]string{${Object.entries(m).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

export function replicasOf(doc: JsonObject, goField: string, goType = 'int32'): number {
  const spec = doc['spec'];
  const value = isJsonObject(spec) ? spec['replicas'] : undefined;
  // An absent replicas decodes to zero in the Scale type; Deployments default it to 1.
  if (value === undefined || value === null) return goField.startsWith('Scale') ? 0 : 1;
  if (typeof value !== 'number' || !Number.isInteger(value)) decodeError(doc, goField, goType, value);
  return value;
}

export function deploymentFromDoc(doc: JsonObject, current: DeploymentObject): DeploymentObject {
  checkIdentity(doc, DEPLOYMENTS, current.metadata);
  const name = current.metadata.name;
  const replicas = replicasOf(doc, 'DeploymentSpec.spec.replicas');
  const spec = isJsonObject(doc['spec']) ? doc['spec'] : {};
  const problems: FieldProblem[] = [];
  if (replicas < 0) problems.push({ field: 'spec.replicas', reason: 'FieldValueInvalid', detail: `Invalid value: ${replicas}: must be greater than or equal to 0` });
  if (JSON.stringify(spec['selector'] ?? null) !== JSON.stringify(current.spec.selector)) {
    problems.push({ field: 'spec.selector', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(spec['selector'] ?? null)}: field is immutable` });
  }
  const template = isJsonObject(spec['template']) ? spec['template'] : {};
  const templateMeta = isJsonObject(template['metadata']) ? template['metadata'] : {};
  const labels = stringMap(templateMeta['labels']) ?? {};
  if (!selectorMatches(current.spec.selector, labels)) {
    problems.push({
      field: 'spec.template.metadata.labels',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
    });
  }
  const podSpec = isJsonObject(template['spec']) ? template['spec'] : {};
  const containers = Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
  if (containers.length === 0) problems.push({ field: 'spec.template.spec.containers', reason: 'FieldValueRequired', detail: 'Required value' });
  containers.forEach((c, i) => {
    for (const field of ['name', 'image']) {
      if (!isJsonObject(c) || typeof c[field] !== 'string' || c[field] === '') {
        problems.push({ field: `spec.template.spec.containers[${i}].${field}`, reason: 'FieldValueRequired', detail: 'Required value' });
      }
    }
  });
  if (problems.length > 0) throw invalid('Deployment', 'apps', name, problems);
  const m = meta(doc);
  // Kubernetes-owned fields come from storage; the client may only change labels, annotations and spec.
  const next: DeploymentObject = {
    ...current,
    metadata: {
      ...current.metadata,
      ...(stringMap(m['labels']) ? { labels: stringMap(m['labels']) } : {}),
      ...(stringMap(m['annotations']) ? { annotations: stringMap(m['annotations']) } : {}),
    },
    // Checked above: replicas is an integer, selector unchanged, template has named containers with images.
    spec: { ...(spec as unknown as DeploymentObject['spec']), replicas, selector: current.spec.selector },
  };
  if (!stringMap(m['labels'])) delete next.metadata.labels;
  if (!stringMap(m['annotations'])) delete next.metadata.annotations;
  if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
  return next;
}

export function serviceFromDoc(doc: JsonObject, current: ServiceObject): ServiceObject {
  checkIdentity(doc, SERVICES, current.metadata);
  const spec = isJsonObject(doc['spec']) ? doc['spec'] : {};
  const problems: FieldProblem[] = [];
  const selector = spec['selector'];
  if (selector !== undefined && selector !== null) {
    if (!isJsonObject(selector)) decodeError(doc, 'ServiceSpec.spec.selector', 'map[string]string', selector);
    for (const v of Object.values(selector)) if (typeof v !== 'string') decodeError(doc, 'ServiceSpec.spec.selector', 'string', v);
  }
  const rawPorts = spec['ports'];
  if (rawPorts !== undefined && rawPorts !== null && !Array.isArray(rawPorts)) decodeError(doc, 'ServiceSpec.spec.ports', '[]v1.ServicePort', rawPorts);
  const ports: ServicePort[] = [];
  const portList = Array.isArray(rawPorts) ? rawPorts : [];
  if (portList.length === 0) problems.push({ field: 'spec.ports', reason: 'FieldValueRequired', detail: 'Required value' });
  const names = new Set<string>();
  portList.forEach((p, i) => {
    if (!isJsonObject(p)) decodeError(doc, 'ServiceSpec.spec.ports', 'v1.ServicePort', p);
    const port = p['port'];
    if (typeof port !== 'number' || !Number.isInteger(port)) decodeError(doc, 'ServicePort.spec.ports.port', 'int32', port);
    if (port < 1 || port > 65535) {
      problems.push({ field: `spec.ports[${i}].port`, reason: 'FieldValueInvalid', detail: `Invalid value: ${port}: must be between 1 and 65535, inclusive` });
    }
    const name = typeof p['name'] === 'string' ? p['name'] : '';
    if (portList.length > 1 && name === '') problems.push({ field: `spec.ports[${i}].name`, reason: 'FieldValueRequired', detail: 'Required value' });
    if (name !== '' && names.has(name)) problems.push({ field: `spec.ports[${i}].name`, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(name)}` });
    names.add(name);
    const target = p['targetPort'];
    ports.push({
      ...(name !== '' ? { name } : {}),
      protocol: typeof p['protocol'] === 'string' ? p['protocol'] : 'TCP',
      port,
      targetPort: typeof target === 'number' || (typeof target === 'string' && target !== '') ? target : port,
    });
  });
  const clusterIP = spec['clusterIP'];
  if (clusterIP !== undefined && clusterIP !== current.spec.clusterIP) {
    problems.push({ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(clusterIP)}: may not change once set` });
  }
  if (problems.length > 0) throw invalid('Service', '', current.metadata.name, problems);
  const m = meta(doc);
  const next: ServiceObject = {
    ...current,
    metadata: { ...current.metadata },
    spec: { ...current.spec, ports },
  };
  const sel = stringMap(selector ?? undefined);
  if (sel && Object.keys(sel).length > 0) next.spec.selector = sel;
  else delete next.spec.selector;
  const labels = stringMap(m['labels']);
  if (labels) next.metadata.labels = labels;
  else delete next.metadata.labels;
  const annotations = stringMap(m['annotations']);
  if (annotations) next.metadata.annotations = annotations;
  else delete next.metadata.annotations;
  return next;
}
