// What one probe concluded about one target: passed or not, with the detail that goes into the result event.
import type { ProbeDetail } from '../events/schemas.ts';

export interface Verdict {
  passed: boolean;
  probe: ProbeDetail;
}

export const failed = (probe: ProbeDetail): Verdict => ({ passed: false, probe });
export const passed = (probe: ProbeDetail): Verdict => ({ passed: true, probe });
