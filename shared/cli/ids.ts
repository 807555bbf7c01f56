// Target and unit ids as the healer writes them (rule:namespace:Kind:name, see shared/store/keys.ts), read back.

export interface ParsedId {
  rule: string;
  namespace: string;
  kind: string;
  name: string;
}

/** Splits an id into its four parts, or undefined when it has another shape. Rule names are DNS labels: no colons. */
export function parseId(id: string): ParsedId | undefined {
  const parts = id.split(':');
  if (parts.length !== 4 || parts.some((p) => p === '')) return undefined;
  const [rule, namespace, kind, name] = parts as [string, string, string, string];
  return { rule, namespace, kind, name };
}

export type TargetRef = { kind: 'id'; id: string; parsed: ParsedId } | { kind: 'path'; namespace: string; targetKind?: string; name: string };

/** What a person may type for a target: the full id, namespace/kind/name, or namespace/name (any kind). */
export function parseTargetRef(text: string): TargetRef | undefined {
  if (text.includes(':')) {
    const parsed = parseId(text);
    return parsed ? { kind: 'id', id: text, parsed } : undefined;
  }
  const parts = text.split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 3) return { kind: 'path', namespace: parts[0]!, targetKind: parts[1]!, name: parts[2]! };
  if (parts.length === 2) return { kind: 'path', namespace: parts[0]!, name: parts[1]! };
  return undefined;
}

/** Whether an id names the target a path points at; the kind is compared case-insensitively ("pod" finds Pod). */
export function matchesRef(id: ParsedId, ref: Extract<TargetRef, { kind: 'path' }>): boolean {
  return (
    id.namespace === ref.namespace &&
    id.name === ref.name &&
    (ref.targetKind === undefined || id.kind.toLowerCase() === ref.targetKind.toLowerCase())
  );
}

/** namespace/Kind/name, the way people write a Kubernetes object. */
export function objectPath(id: { namespace: string; kind: string; name: string }): string {
  return `${id.namespace}/${id.kind}/${id.name}`;
}
