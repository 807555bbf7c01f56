// What a check function tells the metrics: each run (its result and duration), each result and its probe's duration.
import type { CheckResult } from '../events/schemas.ts';
import type { Metrics } from './metrics.ts';

/** Runs one check run, counted as ok or error and timed whichever it ends as. */
export async function timedRun<T>(metrics: Metrics | undefined, run: () => Promise<T>): Promise<T> {
  const end = metrics?.checkRunDuration.startTimer();
  try {
    const value = await run();
    metrics?.checkRuns.inc({ result: 'ok' });
    return value;
  } catch (error) {
    metrics?.checkRuns.inc({ result: 'error' });
    throw error;
  } finally {
    end?.();
  }
}

/** The results a run sends: counted by rule and outcome; a probe that ran is timed (a skipped target had none). */
export function recordResults(metrics: Metrics | undefined, results: readonly CheckResult[]): void {
  if (!metrics) return;
  for (const r of results) {
    metrics.healthChecks.inc({ rule: r.rule, result: r.outcome });
    if (r.outcome !== 'skipped') metrics.probeDuration.observe({ rule: r.rule, kind: r.ruleKind }, r.probe.latencyMs / 1000);
  }
}
