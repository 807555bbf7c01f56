// One error type for "here is everything wrong with this input": the environment, the rules file, event data,
// manifests. It carries every problem found, one line each, naming the field and the value.
import type { z } from 'zod';

export class Problems extends Error {
  readonly problems: readonly string[];
  /** `what` says what was being read, e.g. "invalid configuration" or "invalid rules in rules.yaml". */
  constructor(what: string, problems: string[]) {
    super(`${what}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'Problems';
    this.problems = problems;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const PREVIEW_CHARS = 60;
const MESSAGE_CHARS = 200;

/** JSON-like text of a value, given up once it is longer than `budget`; a depth cap and a cycle check keep it from
 *  recursing without end on input that nests deep or refers to itself. */
function preview(value: unknown, budget: number, depth: number, seen: Set<object>): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value);
  if (seen.has(value)) return '[circular]';
  if (depth >= 8) return Array.isArray(value) ? '[…]' : '{…}';
  seen.add(value);
  const array = Array.isArray(value);
  let text = array ? '[' : '{';
  for (const [key, item] of array ? value.entries() : Object.entries(value)) {
    if (text.length > budget) break;
    const inner = preview(item, budget - text.length, depth + 1, seen);
    text += `${text.length > 1 ? ',' : ''}${array ? '' : `${JSON.stringify(key)}:`}${inner}`;
  }
  seen.delete(value);
  return `${text}${array ? ']' : '}'}`;
}

function describeValue(value: unknown): string {
  const text = preview(value, PREVIEW_CHARS, 0, new Set());
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 3)}...` : text;
}

function clip(text: string): string {
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text;
}

/** One line per zod issue: where it is, what is wrong, and the value found there. */
export function issuesToProblems(label: string, issues: readonly z.core.$ZodIssue[], document?: unknown): string[] {
  return issues.map((issue) => {
    const field = formatPath(issue.path);
    const where = `${label}${field ? ` field ${clip(field)}` : ''}`;
    // An unknown key's message names it; the object around it is the reader's own input, not worth a copy.
    if (issue.code === 'unrecognized_keys') return `${where}: ${clip(issue.message)}`;
    const value = valueAt(document, issue.path);
    if (document !== undefined && value === undefined && issue.code === 'invalid_type') return `${where}: missing (${article(issue.expected)})`;
    const got = value === undefined ? '' : ` (got ${describeValue(value)})`;
    // A message can list every unknown key of the input: clipped, so one problem stays one readable line.
    return `${where}: ${clip(issue.message)}${got}`;
  });
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
