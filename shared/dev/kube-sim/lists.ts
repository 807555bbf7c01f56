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

/** A page of a list, as `limit` and `continue` ask; `more` is what the list's metadata says of the rest. */
export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  more?: { continue: string; remainingItemCount: number };
}

/**
 * Chunked lists: at most `limit` items, and a `continue` token for the rest. The token names the last item
 * returned and the first page's resourceVersion; the next page starts after that item in the list as it is then
 * (the real API serves the first page's snapshot instead, and answers 410 once it is compacted: not simulated).
 * `items` must be in key order (namespace/name), as the store lists them.
 */
export function pageOf<T extends KubeObject>(items: T[], query: URLSearchParams, resourceVersion: string): ListPage<T> {
  const limitText = query.get('limit');
  const token = query.get('continue');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: must be a non-negative integer, got ${JSON.stringify(limitText)}`);
  let start = 0;
  let rv = resourceVersion;
  if (token) {
    let after: { rv?: unknown; key?: unknown };
    try {
      after = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv?: unknown; key?: unknown };
    } catch {
      throw badRequest(`continue key is not valid: ${token}`);
    }
    if (typeof after.key !== 'string' || typeof after.rv !== 'string') throw badRequest(`continue key is not valid: ${token}`);
    const key = after.key;
    start = items.findIndex((o) => KEY_COLLATOR.compare(keyOf(o), key) > 0);
    if (start < 0) start = items.length;
    rv = after.rv;
  }
  if (limit === 0 || start + limit >= items.length) return { items: items.slice(start), resourceVersion: rv };
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1]!;
  const next = Buffer.from(JSON.stringify({ rv, key: keyOf(last) })).toString('base64');
  return { items: page, resourceVersion: rv, more: { continue: next, remainingItemCount: items.length - start - limit } };
}

const KEY_COLLATOR = new Intl.Collator();
const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function listBody(kind: string, apiVersion: string, items: KubeObject[], resourceVersion: string, more?: ListPage<KubeObject>['more']): object {
  return {
    kind,
    apiVersion,
    metadata: { resourceVersion, ...more },
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
