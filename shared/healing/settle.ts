// How an action's outcome is recorded: what finalize writes for a target's unit or a proxy group. No I/O.
import type { Action, ActionTraitsOf } from '../actions/catalog.ts';
import type { ActionOutcome } from '../actions/outcome.ts';
import type { FinalizeRequest } from '../store/history-store.ts';
import type { Reason } from './reasons.ts';
import type { ProxyGroupStatus, UnitState } from './state.ts';

export interface Settling {
  action: Action;
  reason: Reason;
  token: string;
  /** This target's id: the one a pod-replacing action takes out of the failing sets. */
  member: string;
  eventId: string;
  outcome: ActionOutcome;
  /** When the action returned (ms). */
  done: number;
}

/** The reason the record gives: a deferral or a decline is a reason of its own (a PodDisruptionBudget by default). */
export function settledReason(s: Pick<Settling, 'outcome' | 'reason'>): Reason {
  if (s.outcome.kind === 'deferred') return s.outcome.reason ?? 'disruption-budget';
  return s.outcome.kind === 'declined' ? s.outcome.reason : s.reason;
}

function common(s: Settling, traits: ActionTraitsOf): Omit<FinalizeRequest, 'set' | 'incr'> {
  const { outcome } = s;
  return {
    token: s.token,
    ...(outcome.kind !== 'performed' && traits(s.action).budgeted ? { refund: s.token } : {}),
    retry: outcome.kind === 'failed' && outcome.transient,
    stats: [[`${s.action}:${outcome.kind}`, 1]],
    history: {
      at: new Date(s.done).toISOString(),
      target: s.member,
      event: s.eventId,
      decision: outcome.kind,
      reason: settledReason(s),
      action: s.action,
      detail: outcome.detail,
    },
  };
}

/** A target's unit after its action: verifying when done; the next rung when it can never work. */
export function settleTarget(s: Settling, ladder: { step: number; length: number }, traits: ActionTraitsOf): FinalizeRequest {
  const { outcome, done } = s;
  return {
    ...common(s, traits),
    set:
      outcome.kind === 'performed'
        ? { lastAction: s.action, lastActionAt: done, verifyingAction: s.action, verifyingSince: done, ...(s.action === 'alert' ? { alertOpenSince: done } : {}) }
        : outcome.kind === 'declined' || (outcome.kind === 'failed' && !outcome.transient)
          ? // An action that cannot work (forbidden, no owner to scale, an HPA at its maximum) must not be retried at
            // every result: the cooldown applies and the next decision takes the next rung (an alert, typically).
            { lastAction: s.action, lastActionAt: done, ladderStep: Math.min(ladder.step + 1, ladder.length - 1) }
          : {},
    incr: outcome.kind === 'performed' ? [['actionsPerformed', 1]] : [],
    ...(outcome.kind === 'performed' && traits(s.action).replacesPod ? { forget: s.member } : {}),
  };
}

/** A proxy group after its switch or its alert: the new status only once the action is done. */
export function settleProxy(s: Settling, to: { status: ProxyGroupStatus; active?: 'primary' | 'secondary' }, traits: ActionTraitsOf): FinalizeRequest {
  const performed = s.outcome.kind === 'performed';
  const switching = to.active !== undefined;
  const base = common(s, traits);
  // A group's stream says what it did through its status; its action entry names none.
  const { action: _action, ...history } = base.history;
  return {
    ...base,
    history,
    set: performed
      ? {
          status: to.status,
          ...(switching ? { active: to.active!, lastSwitchAt: s.done } : {}),
          // The alert of AllFailed is open from when it was raised until a switch leaves AllFailed.
          ...(to.status === 'AllFailed' ? { alertOpenSince: s.done } : switching ? { alertOpenSince: 0 } : {}),
        }
      : {},
    incr: performed && switching ? [['switches', 1]] : [],
  };
}

/** What the cluster says of an action whose lease ran out with no outcome recorded. */
export type LeaseFinding = { done: true | false | undefined; detail: string };

/** Whether a unit holds a lease that ran out: its action's outcome was never recorded. */
export function leaseExpired(unit: { pendingToken: string; pendingUntil: number }, now: number): boolean {
  return unit.pendingToken !== '' && unit.pendingUntil <= now;
}

/**
 * Records a run-out lease's action as the cluster shows it, on behalf of the event that started it (that event is
 * not settled here: its redelivery decides again). Done, or not knowable: the action counts, with its cooldown and
 * verification from when it was committed, so nothing is repeated inside the cooldown. Not done: its budget is
 * given back and the next decision may act.
 */
export function settleExpiredLease(
  unit: UnitState,
  finding: LeaseFinding,
  ctx: { member: (pod: string) => string; eventId: string; now: number },
  traits: ActionTraitsOf,
): FinalizeRequest {
  const action = unit.pendingAction as Action;
  const counts = finding.done !== false;
  const decision = finding.done === true ? 'performed' : finding.done === false ? 'not-performed' : 'unknown';
  const since = unit.pendingSince || ctx.now;
  return {
    token: unit.pendingToken,
    set: counts ? { lastAction: action, lastActionAt: since, verifyingAction: action, verifyingSince: since } : {},
    incr: counts ? [['actionsPerformed', 1]] : [],
    ...(!counts && traits(action).budgeted ? { refund: unit.pendingToken } : {}),
    ...(finding.done === true && traits(action).replacesPod && unit.pendingTarget ? { forget: ctx.member(unit.pendingTarget) } : {}),
    retry: false,
    settleEvent: false,
    stats: [[`${action}:lease-expired-${decision}`, 1]],
    history: {
      at: new Date(ctx.now).toISOString(),
      target: unit.pendingTarget ? ctx.member(unit.pendingTarget) : undefined,
      event: ctx.eventId,
      decision,
      reason: 'lease-expired',
      action,
      detail: finding.detail,
    },
  };
}
