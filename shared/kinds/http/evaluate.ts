// Decides whether one HTTP answer passes a rule: expected status, body regex, JSON field, and the slow limit.
import type { StatusRange } from '../../rules/fields.ts';
import { fieldAt } from './json-field.ts';
import { isSlow } from '../../probes/slow.ts';
import { describeRanges, statusExpected } from '../../probes/status-range.ts';
import { failed, passed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

export interface HttpExpectation {
  expectedStatus: readonly StatusRange[];
  body?: { regex?: string; json?: { field: string; equals: string | number | boolean | null } };
  slowMs?: number;
}

export interface HttpAnswer {
  status: number;
  /** The body as read, possibly cut at the read limit. */
  body: string;
  truncated: boolean;
  latencyMs: number;
}

/** The reason an answer fails, or undefined when it passes; checked in the order an operator would look. */
export function httpFailure(answer: HttpAnswer, expect: HttpExpectation): string | undefined {
  if (!statusExpected(answer.status, expect.expectedStatus)) {
    return `status ${answer.status} not in expected ${describeRanges(expect.expectedStatus)}`;
  }
  const regex = expect.body?.regex;
  if (regex !== undefined && !new RegExp(regex).test(answer.body)) {
    return `body does not match /${regex}/${answer.truncated ? ' (body cut at the read limit)' : ''}`;
  }
  const json = expect.body?.json;
  if (json !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(answer.body);
    } catch {
      return `body is not JSON${answer.truncated ? ' (body cut at the read limit)' : ''}`;
    }
    const field = fieldAt(document, json.field);
    if (!field.found) return `JSON field ${json.field} is missing`;
    if (field.value !== json.equals) {
      return `JSON field ${json.field} is ${JSON.stringify(field.value)}, expected ${JSON.stringify(json.equals)}`;
    }
  }
  if (isSlow(answer.latencyMs, expect.slowMs)) return `slow: answered in ${answer.latencyMs} ms, limit ${expect.slowMs} ms`;
  return undefined;
}

export function evaluateHttp(answer: HttpAnswer, expect: HttpExpectation): Verdict {
  const reason = httpFailure(answer, expect);
  const slow = isSlow(answer.latencyMs, expect.slowMs);
  const probe = { latencyMs: answer.latencyMs, status: answer.status, ...(slow ? { slow: true } : {}) };
  return reason === undefined ? passed(probe) : failed({ ...probe, error: reason });
}
