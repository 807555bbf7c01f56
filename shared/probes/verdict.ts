// What one probe concluded about one target: passed or not, with the detail that goes into the result event.
import type { ProbeDetail } from '../events/schemas.ts';

/**
 * Why a probe says nothing about its target: `not-run`, the probe could not be run (the API server refused or
 * failed it; asking again may work); `rule-error`, the target answered that the rule cannot check it as written
 * (a gRPC server without the health service): the rule is to be fixed, and asking again gets the same answer.
 */
export type InconclusiveCause = 'not-run' | 'rule-error';

export interface Verdict {
  passed: boolean;
  probe: ProbeDetail;
  /** Set when nothing is known about the target: no result is sent for it. */
  inconclusive?: InconclusiveCause;
  /** Not probed on purpose (the pod is starting or going away): reported as neither passed nor failed. */
  notProbed?: 'not-started' | 'terminating' | 'startup-grace';
}

export const failed = (probe: ProbeDetail): Verdict => ({ passed: false, probe });
export const passed = (probe: ProbeDetail): Verdict => ({ passed: true, probe });
export const inconclusive = (probe: ProbeDetail): Verdict => ({ passed: false, probe, inconclusive: 'not-run' });
export const ruleError = (probe: ProbeDetail): Verdict => ({ passed: false, probe, inconclusive: 'rule-error' });
export const notProbed = (reason: NonNullable<Verdict['notProbed']>): Verdict => ({ passed: false, probe: { latencyMs: 0 }, notProbed: reason });
