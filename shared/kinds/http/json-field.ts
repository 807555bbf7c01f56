// Reads a dot-path field ("status", "checks.db.state", "items.0.name") out of a parsed JSON document.
export type FieldLookup = { found: true; value: unknown } | { found: false };

export function fieldAt(document: unknown, path: string): FieldLookup {
  let value = document;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return { found: false };
    if (!Object.hasOwn(value, key)) return { found: false };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}
