// How deep parsed JSON nests, measured without recursion, so that deep input is refused before anything recursive
// (the schema, a problem's preview of a value, a log line) touches it.

/** Deeper than any event of ours by far; a check result nests four levels. */
export const MAX_DATA_DEPTH = 32;

export interface TooDeep {
  /** Where the nesting first goes past the limit, e.g. `rules[1].x.a`. */
  path: string;
  /** How deep it goes in all (containers on the deepest path, the outermost counting as 1). */
  depth: number;
}

interface Frame {
  value: unknown;
  depth: number;
  key: string | number;
  parent: Frame | undefined;
}

function pathOf(frame: Frame): string {
  const keys: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
  const text = keys
    .reverse()
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k.length > 40 ? `${k.slice(0, 39)}…` : k}`))
    .join('')
    .replace(/^\./, '');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** The first place where `value` nests deeper than `limit`, and the deepest it goes; undefined when within the limit. */
export function findTooDeep(value: unknown, limit = MAX_DATA_DEPTH): TooDeep | undefined {
  const stack: Frame[] = [{ value, depth: 1, key: '', parent: undefined }];
  let first: Frame | undefined;
  let deepest = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (typeof frame.value !== 'object' || frame.value === null) continue;
    deepest = Math.max(deepest, frame.depth);
    if (frame.depth > limit) first ??= frame;
    const entries: Array<[string | number, unknown]> = Array.isArray(frame.value) ? frame.value.map((v, i) => [i, v]) : Object.entries(frame.value);
    // Pushed in reverse so the walk goes in document order and the first place reported is the first in the text.
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], depth: frame.depth + 1, key: entries[i]![0], parent: frame });
  }
  return first ? { path: pathOf(first), depth: deepest } : undefined;
}
