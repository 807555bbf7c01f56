// The healing decision: (stored state, incoming result, rule, now) → (new state, verdict with a reason). No I/O.
import type { Action } from '../rules/schema.ts';
import type { Reason } from './reasons.ts';
import type { TargetState, UnitState } from './state.ts';

export interface HealingPolicy {
  failureThreshold: number;
  successThreshold: number;
  cooldown: number;
  verifyWindow: number;
  actions: readonly Action[];
}

export interface ResultFacts {
  outcome: 'passed' | 'failed';
  observedAt: number;
  error?: string;
  /** The pod's container restarts by the kubelet, when it reported any. */
  restarts?: number;
}

export type Verdict = { kind: 'act'; action: Action; reason: Reason } | { kind: 'skip'; reason: Reason };

export interface Decision {
  target: TargetState;
  unit: UnitState;
  verdict: Verdict;
  /** Set when this result settled whether the last action healed the unit. */
  judged?: 'healed' | 'not-healed';
}

export interface DecideInput {
  target: TargetState;
  unit: UnitState;
  result: ResultFacts;
  policy: HealingPolicy;
  now: number;
  /** The result was already counted once (its action failed on a transient error): decide again without recounting. */
  alreadyCounted?: boolean;
  /** Other targets of the unit failing now: while any is, a pass here does not prove the unit healed. */
  othersFailing?: number;
}

const skip = (reason: Reason): Verdict => ({ kind: 'skip', reason });

export function countResult(counted: TargetState, result: ResultFacts): TargetState {
  // The kubelet restarted the container since the last result: what failed before that is history.
  const restarted = result.restarts !== undefined && result.restarts > counted.restarts;
  const target = restarted ? { ...counted, consecutiveFailures: 0, restarts: result.restarts! } : counted;
  if (result.outcome === 'passed') {
    return {
      ...target,
      consecutivePasses: target.consecutivePasses + 1,
      consecutiveFailures: 0,
      totalPasses: target.totalPasses + 1,
      lastResultAt: Math.max(target.lastResultAt, result.observedAt),
    };
  }
  return {
    ...target,
    consecutiveFailures: target.consecutiveFailures + 1,
    consecutivePasses: 0,
    totalFailures: target.totalFailures + 1,
    lastFailureAt: result.observedAt,
    lastError: result.error ?? '',
    lastResultAt: Math.max(target.lastResultAt, result.observedAt),
  };
}

function clearVerification(unit: UnitState): UnitState {
  return { ...unit, verifyingAction: '', verifyingSince: 0 };
}

export function decide(input: DecideInput): Decision {
  const { result, policy, now } = input;
  if (result.observedAt < input.target.lastResultAt) {
    return { target: input.target, unit: input.unit, verdict: skip('stale-result') };
  }
  const target = input.alreadyCounted ? input.target : countResult(input.target, result);
  let unit: UnitState = { ...input.unit };
  const verifying = unit.verifyingAction !== '';
  const windowOver = verifying && now >= unit.verifyingSince + policy.verifyWindow;

  if (result.outcome === 'passed') {
    const unitPassing = (input.othersFailing ?? 0) === 0;
    // Failures inside the window do not matter once the whole unit passes after it: the action, maybe late, worked.
    if (windowOver && unitPassing && target.consecutivePasses >= policy.successThreshold) {
      unit = { ...clearVerification(unit), actionsHealed: unit.actionsHealed + 1, ladderStep: 0 };
      return { target, unit, verdict: skip('healed'), judged: 'healed' };
    }
    return { target, unit, verdict: skip('passing') };
  }

  const overThreshold = target.consecutiveFailures >= policy.failureThreshold;
  if (!overThreshold) return { target, unit, verdict: skip('below-threshold') };
  if (unit.pendingAction !== '' && unit.pendingUntil > now) return { target, unit, verdict: skip('action-in-progress') };
  if (unit.lastActionAt > 0 && now < unit.lastActionAt + policy.cooldown) return { target, unit, verdict: skip('cooldown') };

  const lastRung = policy.actions.length - 1;
  if (verifying) {
    // A failure probed before the action (delivered late) says nothing about the action.
    if (!windowOver || result.observedAt <= unit.verifyingSince) return { target, unit, verdict: skip('verifying') };
    unit = { ...clearVerification(unit), actionsNotHealed: unit.actionsNotHealed + 1, ladderStep: Math.min(unit.ladderStep + 1, lastRung) };
    return { target, unit, verdict: { kind: 'act', action: policy.actions[unit.ladderStep]!, reason: 'escalated' }, judged: 'not-healed' };
  }
  const step = Math.min(unit.ladderStep, lastRung);
  return { target, unit: { ...unit, ladderStep: step }, verdict: { kind: 'act', action: policy.actions[step]!, reason: 'threshold-reached' } };
}
