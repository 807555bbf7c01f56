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

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text !== undefined && text.length > 60 ? `${text.slice(0, 57)}...` : String(text);
}

/** One line per zod issue: where it is, what is wrong, and the value found there. */
export function issuesToProblems(label: string, issues: readonly z.core.$ZodIssue[], document?: unknown): string[] {
  return issues.map((issue) => {
    const field = formatPath(issue.path);
    const value = valueAt(document, issue.path);
    const got = value === undefined ? '' : ` (got ${describeValue(value)})`;
    return `${label}${field ? ` field ${field}` : ''}: ${issue.message}${got}`;
  });
}
