// When a pass changes nothing but counters: the common case, applied by the store in one script call and
// counted on the target's record instead of being appended to the streams. No I/O.
import type { ResultFacts } from './decide.ts';
import type { TargetState, UnitState } from './state.ts';

/**
 * A pass is quiet when the target was passing already (or never reported: no failure counted), the result is not
 * older than the newest one applied, it reports no restart by the kubelet, and the unit has nothing in play: no
 * lease, no action being verified, no open alert. Its decision is then always `passing`, the unit is left as it
 * was, the target leaves both failing sets (it was in neither) and only its pass counters and `lastResultAt` move.
 * The store's QUIET_PASS script tests exactly this against the stored records.
 */
export function isQuietPass(target: TargetState, unit: Pick<UnitState, 'pendingToken' | 'verifyingAction' | 'alertOpenSince'>, result: ResultFacts): boolean {
  return (
    result.outcome === 'passed' &&
    target.consecutiveFailures === 0 &&
    result.observedAt >= target.lastResultAt &&
    (result.restarts === undefined || result.restarts <= target.restarts) &&
    unit.pendingToken === '' &&
    unit.verifyingAction === '' &&
    unit.alertOpenSince === 0
  );
}

/** What the store is handed for a pass it may apply on its own. */
export interface QuietPass {
  observedAt: number;
  /** The kubelet's container restarts as the result reports them (0 when it reports none). */
  restarts: number;
  /** The decision's reason, counted in the rule's stats and metrics like any decision's. */
  reason: 'passing';
}

export function quietPassOf(result: ResultFacts): QuietPass | undefined {
  if (result.outcome !== 'passed') return undefined;
  return { observedAt: result.observedAt, restarts: result.restarts ?? 0, reason: 'passing' };
}
