// RFC 6902 JSON Patch applied to a JSON document; failures throw JsonPatchError with evanphx/json-patch style text.
import { isJsonObject, type Json } from './wire-types.ts';

export class JsonPatchError extends Error {}

export interface PatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`add operation does not apply: doc is missing path: "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function clone(value: Json): Json {
  return structuredClone(value);
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function arrayIndex(token: string, length: number, allowEnd: boolean, op: string, path: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  const idx = Number(token);
  if (idx > length || (!allowEnd && idx === length)) {
    throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}": Unable to access invalid index: ${idx}`);
  }
  return idx;
}

// Walks to the container holding the last token; returns it with that token.
function parentOf(doc: Json, tokens: string[], op: string, path: string): { parent: Json; last: string } {
  let node: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(t, node.length, false, op, path)] ?? null;
    else if (isJsonObject(node) && Object.hasOwn(node, t)) node = node[t] ?? null;
    else throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return { parent: node, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, path: string, op: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, last } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const v = parent[arrayIndex(last, parent.length, false, op, path)];
    if (v === undefined) throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
    return v;
  }
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) return parent[last] ?? null;
  throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
}

function add(doc: Json, path: string, value: Json, op = 'add'): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, op, path), 0, value);
  else if (isJsonObject(parent)) parent[last] = value;
  else throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  return doc;
}

function remove(doc: Json, path: string, op = 'remove'): { doc: Json; removed: Json } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  const { parent, last } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(last, parent.length, false, op, path), 1);
    return { doc, removed: removed ?? null };
  }
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    const removed = parent[last] ?? null;
    delete parent[last];
    return { doc, removed };
  }
  throw new JsonPatchError(`Unable to remove nonexistent key: ${last}: missing value`);
}

function replace(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, 'replace', path);
  if (Array.isArray(parent)) {
    parent[arrayIndex(last, parent.length, false, 'replace', path)] = value;
  } else if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    parent[last] = value;
  } else {
    throw new JsonPatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  }
  return doc;
}

export function applyJsonPatch(document: Json, operations: PatchOperation[]): Json {
  let doc = clone(document);
  for (const operation of operations) {
    const { op, path } = operation;
    if (typeof path !== 'string') throw new JsonPatchError(`${op} operation does not apply: doc is missing path: ""`);
    switch (op) {
      case 'add':
        doc = add(doc, path, clone(requireValue(operation)));
        break;
      case 'remove':
        doc = remove(doc, path).doc;
        break;
      case 'replace':
        doc = replace(doc, path, clone(requireValue(operation)));
        break;
      case 'move': {
        const from = requireFrom(operation);
        const moved = remove(doc, from, 'move');
        doc = add(moved.doc, path, moved.removed, 'move');
        break;
      }
      case 'copy':
        doc = add(doc, path, clone(getAt(doc, requireFrom(operation), 'copy')), 'copy');
        break;
      case 'test': {
        let actual: Json | undefined;
        try {
          actual = getAt(doc, path, 'test');
        } catch {
          actual = undefined;
        }
        const expected = operation.value ?? null;
        if (!deepEqual(actual, expected)) throw new JsonPatchError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchError(`Unexpected kind: ${String(op)}`);
    }
  }
  return doc;
}

function requireValue(op: PatchOperation): Json {
  if (!('value' in op)) throw new JsonPatchError(`${op.op} operation does not apply: missing value`);
  return op.value ?? null;
}

function requireFrom(op: PatchOperation): string {
  if (typeof op.from !== 'string') throw new JsonPatchError(`${op.op} operation does not apply: missing from`);
  return op.from;
}
