// Decides whether a proxy passed an egress check: every URL fetched through it answered an expected status.
import type { StatusRange } from '../../rules/fields.ts';
import { describeRanges, statusExpected } from '../../probes/status-range.ts';
import { failed, passed } from '../../probes/verdict.ts';
import type { Verdict } from '../../probes/verdict.ts';

export interface UrlAnswer {
  url: string;
  latencyMs: number;
  status?: number;
  error?: string;
}

/** Pure: the proxy passes when every URL answered an expected status; otherwise the first failing URL says why. */
export function evaluateEgress(answers: readonly UrlAnswer[], expectedStatus: readonly StatusRange[]): Verdict {
  const latencyMs = Math.max(0, ...answers.map((a) => a.latencyMs));
  for (const a of answers) {
    const status = a.status === undefined ? {} : { status: a.status };
    if (a.error !== undefined) return failed({ latencyMs, url: a.url, ...status, error: a.error });
    if (a.status === undefined || !statusExpected(a.status, expectedStatus)) {
      return failed({ latencyMs, url: a.url, ...status, error: `status ${a.status} not in expected ${describeRanges(expectedStatus)}` });
    }
  }
  return passed({ latencyMs });
}
