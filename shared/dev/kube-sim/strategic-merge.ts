// Strategic merge patch for the fields the simulator serves: maps merge, lists with a patchMergeKey merge by key.
import { isJsonObject, type Json, type JsonObject } from './wire-types.ts';

// Dotted field paths (list indexes left out) of lists that merge instead of being replaced.
// The value is the patchMergeKey from the Kubernetes Go types; '' marks a list of scalars merged as a set.
export type MergeKeys = Readonly<Record<string, string>>;

const POD_SPEC_KEYS = (prefix: string): Record<string, string> => ({
  [`${prefix}containers`]: 'name',
  [`${prefix}initContainers`]: 'name',
  [`${prefix}containers.ports`]: 'containerPort',
  [`${prefix}containers.env`]: 'name',
  [`${prefix}containers.volumeMounts`]: 'mountPath',
  [`${prefix}volumes`]: 'name',
  [`${prefix}imagePullSecrets`]: 'name',
});

const META_KEYS = { 'metadata.ownerReferences': 'uid', 'metadata.finalizers': '' };

export const MERGE_KEYS = {
  Deployment: {
    ...META_KEYS,
    ...POD_SPEC_KEYS('spec.template.spec.'),
    'status.conditions': 'type',
  },
  Service: { ...META_KEYS, 'spec.ports': 'port' },
  Scale: META_KEYS,
  HorizontalPodAutoscaler: META_KEYS,
} satisfies Record<string, MergeKeys>;

const DELETE = Symbol('delete');

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

function mergeList(original: Json | undefined, patch: Json[], mergeKey: string | undefined, path: string, keys: MergeKeys): Json {
  if (mergeKey === undefined) return stripDirectives(patch);
  const base = Array.isArray(original) ? structuredClone(original) : [];
  if (mergeKey === '') {
    for (const item of patch) if (!base.some((b) => JSON.stringify(b) === JSON.stringify(item))) base.push(item);
    return base;
  }
  if (patch.some((item) => isJsonObject(item) && item['$patch'] === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item['$patch'] === 'replace')).map(stripDirectives);
  }
  for (const item of patch) {
    if (!isJsonObject(item)) {
      base.push(item);
      continue;
    }
    const idx = base.findIndex((b) => isJsonObject(b) && b[mergeKey] === item[mergeKey]);
    if (item['$patch'] === 'delete') {
      if (idx >= 0) base.splice(idx, 1);
      continue;
    }
    if (idx < 0) {
      base.push(stripDirectives(item));
      continue;
    }
    const merged = mergeValue(base[idx], item, path, keys);
    if (merged === DELETE) base.splice(idx, 1);
    else base[idx] = merged;
  }
  return base;
}

function mergeValue(original: Json | undefined, patch: JsonObject, path: string, keys: MergeKeys): Json | typeof DELETE {
  const directive = patch['$patch'];
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') return stripDirectives(patch);
  const result: JsonObject = isJsonObject(original) ? structuredClone(original) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((v) => !value.some((d) => JSON.stringify(d) === JSON.stringify(v)));
      }
      continue;
    }
    const childPath = path === '' ? key : `${path}.${key}`;
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(result[key], value, keys[childPath], childPath, keys);
    else if (isJsonObject(value)) {
      const merged = mergeValue(result[key], value, childPath, keys);
      if (merged === DELETE) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  return result;
}

export function applyStrategicMerge(original: JsonObject, patch: JsonObject, keys: MergeKeys): JsonObject {
  const merged = mergeValue(original, patch, '', keys);
  return merged === DELETE || !isJsonObject(merged) ? {} : merged;
}
