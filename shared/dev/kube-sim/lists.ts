// List responses: query-driven filtering (labelSelector/fieldSelector) and the XxxList envelope.
import { fieldsMatch, matches, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.ts';
import { badRequest } from './status.ts';
import type { KubeObject } from './wire-types.ts';

// Field labels each resource's conversion function accepts (everything supports metadata.name/namespace).
export type FieldGetter<T> = (obj: T) => Record<string, string>;

export function metadataFields(obj: KubeObject): Record<string, string> {
  return { 'metadata.name': obj.metadata.name, 'metadata.namespace': obj.metadata.namespace ?? '' };
}

export function filterList<T extends KubeObject>(items: T[], query: URLSearchParams, fields: FieldGetter<T>, supported: readonly string[]): T[] {
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    throw badRequest('kube-sim: watch is not simulated');
  }
  try {
    const labelText = query.get('labelSelector');
    const fieldText = query.get('fieldSelector');
    const labelReqs = labelText ? parseLabelSelector(labelText) : [];
    const fieldReqs = fieldText ? parseFieldSelector(fieldText, ['metadata.name', 'metadata.namespace', ...supported]) : [];
    return items.filter((o) => matches(labelReqs, o.metadata.labels) && fieldsMatch(fieldReqs, fields(o)));
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

export function listBody(kind: string, apiVersion: string, items: KubeObject[], resourceVersion: string): object {
  return {
    kind,
    apiVersion,
    metadata: { resourceVersion },
    // Items of a typed list carry no kind/apiVersion on the wire.
    items: items.map((o) => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
      return rest;
    }),
  };
}

export function objectBody(obj: KubeObject): object {
  return structuredClone(obj);
}
