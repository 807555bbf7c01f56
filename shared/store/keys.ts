// The Redis key layout. Every key shares one hash tag, so scripts may touch any of them on Redis Cluster too;
// selfheal's data is small, and one slot keeps every script atomic.
import type { Target } from '../events/schemas.ts';

export interface UnitRef {
  namespace: string;
  kind: string;
  name: string;
}

export type PauseScope = 'namespace' | 'rule' | 'workload';

export function workloadId(u: UnitRef): string {
  return `${u.namespace}/${u.kind}/${u.name}`;
}

export function targetId(rule: string, t: { namespace: string; kind: string; name: string }): string {
  return `${rule}:${t.namespace}:${t.kind}:${t.name}`;
}

/** The healing unit of a target: its workload when it has one (a restart replaces the pod, not the workload). */
export function unitOf(target: Target): UnitRef {
  return target.workload
    ? { namespace: target.namespace, kind: target.workload.kind, name: target.workload.name }
    : { namespace: target.namespace, kind: target.kind, name: target.name };
}

export function createKeys(prefix: string) {
  const p = `{${prefix}}`;
  return Object.freeze({
    prefix: p,
    target: (rule: string, t: Target) => `${p}:target:${targetId(rule, t)}`,
    history: (rule: string, t: Target) => `${p}:history:${targetId(rule, t)}`,
    unit: (rule: string, u: UnitRef) => `${p}:unit:${targetId(rule, u)}`,
    /** Targets of a unit failing now (a sorted set): member = target id, score = until when its latest failure
     *  counts (ms), so a target that stops reporting drops out on its own. */
    unitFailing: (rule: string, u: UnitRef) => `${p}:failing:unit:${targetId(rule, u)}`,
    /** What every unit's failing set starts with (the CLI lists them). */
    unitFailingPrefix: `${p}:failing:unit:`,
    /** Targets of a rule at or over the threshold (a sorted set scored the same way; the cascade guard counts a
     *  dependency rule's). */
    ruleFailing: (rule: string) => `${p}:failing:rule:${rule}`,
    /** A proxy group's companion of the unit sets: groups keep their counts in their own record, so it stays empty. */
    groupFailing: (group: string) => `${p}:failing:group:${group}`,
    events: `${p}:events`,
    dedupe: (source: string, id: string) => `${p}:dedupe:${source}:${id}`,
    budget: (namespace: string) => `${p}:budget:${namespace}`,
    stats: (rule: string) => `${p}:stats:${rule}`,
    proxy: (group: string) => `${p}:proxy:${group}`,
    /** An operator's pause of healing (a JSON record, expiring with the pause): scope namespace, rule or workload;
     *  a workload is named namespace/Kind/name. */
    pause: (scope: PauseScope, id: string) => `${p}:pause:${scope}:${id}`,
    /** Every target seen, scored by when it was last seen; entries older than the target TTL are pruned. */
    index: `${p}:targets`,
  });
}

export type Keys = ReturnType<typeof createKeys>;
