// Runs planned checks through the bounded runner and turns every outcome, timeouts and cut-offs included, into a result.
import type { CheckResult } from '../events/schemas.ts';
import type { InconclusiveCause, Verdict } from '../probes/verdict.ts';
import { runBounded } from './bounded-run.ts';
import type { TaskOutcome } from './bounded-run.ts';
import type { PlannedCheck } from './planned-check.ts';

export interface RunChecksOptions {
  runId: string;
  concurrency: number;
  deadlineMs: number;
  now: () => Date;
  signal?: AbortSignal;
  /** Told of each result as soon as its probe ends, so that it can be sent on at once (not of inconclusive ones). */
  onResult?: (result: CheckResult) => void;
}

/** Pure: what an outcome of the runner means for the target. */
export function verdictOf(outcome: TaskOutcome<Verdict>): Verdict {
  switch (outcome.kind) {
    case 'done':
      return outcome.value;
    case 'error':
      return { passed: false, probe: { latencyMs: outcome.elapsedMs, error: outcome.error.message } };
    case 'timeout':
      return { passed: false, probe: { latencyMs: outcome.elapsedMs, error: `timed out after ${outcome.timeoutMs} ms` } };
    case 'cut':
      return { passed: false, probe: { latencyMs: outcome.elapsedMs, error: outcome.reason } };
  }
}

export function toResult(check: PlannedCheck, verdict: Verdict, runId: string, observedAt: Date): CheckResult {
  return {
    rule: check.rule.name,
    ruleKind: check.rule.kind,
    outcome: verdict.notProbed ? 'skipped' : verdict.passed ? 'passed' : 'failed',
    ...(verdict.notProbed ? { notProbed: verdict.notProbed } : {}),
    target: check.target,
    probe: verdict.probe,
    ...(check.proxy ? { proxy: check.proxy } : {}),
    observedAt: observedAt.toISOString(),
    runId,
  };
}

/** A target the run says nothing about, and why (see InconclusiveCause). */
export type InconclusiveResult = CheckResult & { cause: InconclusiveCause };

export interface RunOutcome {
  results: CheckResult[];
  /** Targets whose probe could not run, or whose rule cannot check them as written: no result is sent for them. */
  inconclusive: InconclusiveResult[];
}

export async function runChecks(checks: readonly PlannedCheck[], opts: RunChecksOptions): Promise<RunOutcome> {
  const run: RunOutcome = { results: [], inconclusive: [] };
  await runBounded(checks, {
    concurrency: opts.concurrency,
    deadlineMs: opts.deadlineMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    // Each result is made when its probe ends, and stamped then: the slowest probe holds back no other result.
    onOutcome: (i, outcome) => {
      const verdict = verdictOf(outcome);
      const result = toResult(checks[i]!, verdict, opts.runId, opts.now());
      if (verdict.inconclusive) {
        run.inconclusive.push({ ...result, cause: verdict.inconclusive });
        return;
      }
      run.results.push(result);
      opts.onResult?.(result);
    },
  });
  return run;
}
