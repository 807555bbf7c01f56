// What one probe concluded about one target: passed or not, with the detail that goes into the result event.
import type { ProbeDetail } from '../events/schemas.ts';

export interface Verdict {
  passed: boolean;
  probe: ProbeDetail;
  /** The probe could not be run (the API server refused or failed it): nothing is known about the target. */
  inconclusive?: boolean;
  /** Not probed on purpose (the pod is starting or going away): reported as neither passed nor failed. */
  notProbed?: 'not-started' | 'terminating' | 'startup-grace';
}

export const failed = (probe: ProbeDetail): Verdict => ({ passed: false, probe });
export const passed = (probe: ProbeDetail): Verdict => ({ passed: true, probe });
export const inconclusive = (probe: ProbeDetail): Verdict => ({ passed: false, probe, inconclusive: true });
export const notProbed = (reason: NonNullable<Verdict['notProbed']>): Verdict => ({ passed: false, probe: { latencyMs: 0 }, notProbed: reason });
