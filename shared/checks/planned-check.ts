// One probe of one target, as a function's planner lays it out before the run.
import type { Target } from '../events/schemas.ts';
import type { ProxyRole } from '../events/schemas.ts';
import type { Verdict } from '../probes/verdict.ts';
import type { ResolvedRule } from '../rules/load.ts';

export interface PlannedCheck {
  rule: ResolvedRule;
  target: Target;
  proxy?: { group: string; role: ProxyRole };
  /** The runner's hard limit for this probe; past it the target is reported failed and the probe aborted. */
  timeoutMs: number;
  run(signal: AbortSignal): Promise<Verdict>;
}

/** A check whose verdict is already known at planning time (e.g. a proxy role with no running pod). */
export function decided(rule: ResolvedRule, target: Target, verdict: Verdict, proxy?: PlannedCheck['proxy']): PlannedCheck {
  return { rule, target, ...(proxy ? { proxy } : {}), timeoutMs: 1_000, run: async () => verdict };
}
