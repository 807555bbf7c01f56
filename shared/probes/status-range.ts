// Whether an HTTP status is one the rule expects (inclusive ranges, as parsed from rule.expectedStatus).
import type { StatusRange } from '../rules/fields.ts';

export function statusExpected(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((r) => status >= r.min && status <= r.max);
}

export function describeRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(', ');
}
