// What one probe concluded about one target: passed or not, with the detail that goes into the result event.
import type { ProbeDetail } from '../events/schemas.ts';

export interface Verdict {
  passed: boolean;
  probe: ProbeDetail;
  /** The probe could not be run (the API server refused or failed it): nothing is known about the target. */
  inconclusive?: boolean;
}

export const failed = (probe: ProbeDetail): Verdict => ({ passed: false, probe });
export const passed = (probe: ProbeDetail): Verdict => ({ passed: true, probe });
export const inconclusive = (probe: ProbeDetail): Verdict => ({ passed: false, probe, inconclusive: true });
