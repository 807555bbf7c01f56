// In-memory object store: one bucket per kind, keyed by namespace/name, stamped from one global resourceVersion counter.
import { randomUUID } from 'node:crypto';
import type {
  DeploymentObject,
  EndpointSliceObject,
  EventObject,
  HpaObject,
  KubeObject,
  NamespaceObject,
  PdbObject,
  ReplicaSetObject,
  ServiceObject,
  V1PodLike,
} from './wire-types.ts';

export interface KindMap {
  Namespace: NamespaceObject;
  Pod: V1PodLike;
  Service: ServiceObject;
  Deployment: DeploymentObject;
  ReplicaSet: ReplicaSetObject;
  EndpointSlice: EndpointSliceObject;
  PodDisruptionBudget: PdbObject;
  HorizontalPodAutoscaler: HpaObject;
  Event: EventObject;
}
export type Kind = keyof KindMap;

export function timestamp(date = new Date()): string {
  // The API serves whole seconds (RFC 3339 without fractions).
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUid(): string {
  return randomUUID();
}

const COLLATOR = new Intl.Collator();

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  // Starts above zero so a "0" resourceVersion (which means "any" to the API) is never a real one.
  private revision = 1000;
  private readonly buckets = new Map<Kind, Map<string, KubeObject>>();
  // Creation order, so "newest first" does not depend on one-second timestamps.
  private readonly sequence = new WeakMap<KubeObject, number>();
  private created = 0;

  get resourceVersion(): string {
    return String(this.revision);
  }

  private bucket(kind: Kind): Map<string, KubeObject> {
    let b = this.buckets.get(kind);
    if (!b) {
      b = new Map();
      this.buckets.set(kind, b);
    }
    return b;
  }

  get<K extends Kind>(kind: K, namespace: string | undefined, name: string): KindMap[K] | undefined {
    return this.bucket(kind).get(keyOf(namespace, name)) as KindMap[K] | undefined;
  }

  /** In key order; `match` filters before the sort, so a few objects out of thousands sort fast. */
  list<K extends Kind>(kind: K, namespace?: string, match?: (o: KindMap[K]) => boolean): Array<KindMap[K]> {
    const inNs: Array<KindMap[K]> = [];
    for (const o of this.bucket(kind).values() as Iterable<KindMap[K]>) {
      if ((namespace === undefined || o.metadata.namespace === namespace) && (!match || match(o))) inNs.push(o);
    }
    // The order of String#localeCompare, through one collator and keys built once: thousands of pods sort fast.
    return inNs
      .map((o) => ({ o, key: keyOf(o.metadata.namespace, o.metadata.name) }))
      .sort((a, b) => COLLATOR.compare(a.key, b.key))
      .map((e) => e.o);
  }

  /** How many objects of a kind in a namespace match: no copy, no sort (hot in a ReplicaSet of thousands of pods). */
  count<K extends Kind>(kind: K, namespace: string, match: (o: KindMap[K]) => boolean): number {
    let n = 0;
    for (const o of this.bucket(kind).values()) if (o.metadata.namespace === namespace && match(o as KindMap[K])) n++;
    return n;
  }

  // Inserts a new object, or records a write to one already stored (callers mutate in place, then call this).
  put<K extends Kind>(kind: K, obj: KindMap[K]): KindMap[K] {
    const bucket = this.bucket(kind);
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    if (bucket.get(key) !== obj) {
      obj.metadata.uid ||= newUid();
      obj.metadata.creationTimestamp ||= timestamp();
      this.sequence.set(obj, ++this.created);
      bucket.set(key, obj);
    }
    obj.metadata.resourceVersion = String(++this.revision);
    return obj;
  }

  remove<K extends Kind>(kind: K, namespace: string | undefined, name: string): KindMap[K] | undefined {
    const bucket = this.bucket(kind);
    const key = keyOf(namespace, name);
    const obj = bucket.get(key) as KindMap[K] | undefined;
    if (!obj) return undefined;
    bucket.delete(key);
    obj.metadata.resourceVersion = String(++this.revision);
    return obj;
  }

  creationOrder(obj: KubeObject): number {
    return this.sequence.get(obj) ?? 0;
  }
}
