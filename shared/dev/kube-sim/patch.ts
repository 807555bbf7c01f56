// PATCH request handling: picks the patch strategy from Content-Type and reproduces kube-apiserver's errors for bad bodies.
import { applyJsonPatch, JsonPatchError, type PatchOperation } from './json-patch.ts';
import { badRequest, genericUnprocessable, invalid, unsupportedMediaType } from './status.ts';
import { applyStrategicMerge, type MergeKeys } from './strategic-merge.ts';
import { isJsonObject, type Json, type JsonObject } from './wire-types.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

// Order as kube-apiserver lists them in its 415 message for built-in types.
const ACCEPTED = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH];

function goTypeName(value: Json): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function parse(body: string, onError: (message: string) => never): Json {
  try {
    return JSON.parse(body) as Json;
  } catch (err) {
    return onError(err instanceof Error ? err.message : String(err));
  }
}

// The patch result must decode into the object; arrays and scalars fail the way runtime.DecodeInto does.
function asObject(result: Json): JsonObject {
  if (isJsonObject(result)) return result;
  const text = JSON.stringify(result);
  throw invalid('', '', '', [
    {
      field: 'patch',
      reason: 'FieldValueInvalid',
      detail:
        `Invalid value: ${JSON.stringify(text)}: couldn't get version/kind; json parse error: json: cannot unmarshal ` +
        `${goTypeName(result)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; ` +
        `Kind string "json:\\"kind,omitempty\\"" }`,
    },
  ]);
}

function jsonPatch(current: JsonObject, body: string): JsonObject {
  const ops = parse(body, (m) => {
    throw badRequest(`error decoding patch: ${m}`);
  });
  if (!Array.isArray(ops)) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${goTypeName(ops)} into Go value of type []handlers.jsonPatchOp`);
  }
  for (const op of ops) {
    if (!isJsonObject(op)) {
      throw badRequest(`error decoding patch: json: cannot unmarshal ${goTypeName(op)} into Go value of type handlers.jsonPatchOp`);
    }
  }
  try {
    // Checked above that every entry is an object; the op/path fields are validated while applying.
    return asObject(applyJsonPatch(current, ops as unknown as PatchOperation[]));
  } catch (err) {
    if (err instanceof JsonPatchError) throw genericUnprocessable();
    throw err;
  }
}

function mergePatchValue(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatchValue(result[k], v);
  }
  return result;
}

function mergePatch(current: JsonObject, body: string): JsonObject {
  const patch = parse(body, () => {
    throw badRequest('Invalid JSON Patch');
  });
  // evanphx/json-patch.MergePatch: a null or scalar patch is ErrBadJSONPatch; an array becomes the whole document.
  if (patch === null || (typeof patch !== 'object')) throw badRequest('Invalid JSON Patch');
  if (Array.isArray(patch)) return asObject(patch.filter((v) => v !== null));
  return asObject(mergePatchValue(structuredClone(current), patch));
}

function strategicMergePatch(current: JsonObject, body: string, keys: MergeKeys): JsonObject {
  const patch = parse(body, (m) => {
    throw badRequest(m);
  });
  if (patch === null) return current;
  if (!isJsonObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${goTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  return applyStrategicMerge(current, patch, keys);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

// Returns the patched document; the caller validates it as the resource's type.
export function applyPatch(contentType: string | undefined, current: JsonObject, body: string, keys: MergeKeys): JsonObject {
  const type = mediaType(contentType);
  switch (type) {
    case JSON_PATCH:
      return jsonPatch(current, body);
    case MERGE_PATCH:
      return mergePatch(current, body);
    case STRATEGIC_MERGE_PATCH:
      return strategicMergePatch(current, body, keys);
    case APPLY_PATCH:
      throw badRequest('kube-sim: server-side apply (application/apply-patch+yaml) is not simulated');
    default:
      throw unsupportedMediaType(ACCEPTED);
  }
}
