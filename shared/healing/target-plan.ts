// The whole decision for one probed target (a pod, or a Service of a dependency rule), as data: which targets
// fail now, decide, guard, what to commit, and what the audit says. No I/O: the healer loads, commits and acts.
import type { Action, ActionTraitsOf } from '../actions/catalog.ts';
import type { CommitRequest, GuardReads } from '../store/history-store.ts';
import { decide } from './decide.ts';
import type { Decision, HealingPolicy, ResultFacts, Verdict } from './decide.ts';
import { guard } from './guard.ts';
import type { GuardFacts } from './guard.ts';
import { isQuietPass } from './quiet-pass.ts';
import type { TargetState, UnitState } from './state.ts';

/** What the healer read from Redis for this target, in one round trip: counts, never whole sets. */
export interface TargetSnapshot {
  target: TargetState;
  unit: UnitState;
  /** Other targets of the unit failing now. */
  othersFailing: number;
  /** Read in the round trip before an action only: budget, pauses, failing dependencies, failing live pods. */
  guards?: GuardReads;
}

/** What a fresh read of the cluster found, before any action on the target. */
export interface TargetFacts {
  guard: Omit<GuardFacts, 'budgetUsed' | 'failingDependency' | 'workloadFailing' | 'sharedCause' | 'paused'>;
  /** Names of the live pods of the target's workload, when it has one. */
  siblings?: readonly string[];
  /** Why the target could not be read (forbidden, refused for good). */
  unreadable?: string;
  /** The uid of the pod as read: the action and a later resolution of its lease act on this pod only. */
  podUid?: string;
}

export interface TargetPolicy extends HealingPolicy {
  name: string;
  /** Pod rules: what a shared cause turns a restart into (alert by default). */
  sharedCause?: Action;
}

export interface TargetPlanInput {
  snap: TargetSnapshot;
  result: ResultFacts & { eventId: string };
  policy: TargetPolicy;
  /** This target's id (rule:namespace:kind:name), as the unit's failing set holds it. */
  member: string;
  now: number;
  alreadyCounted: boolean;
  /** The store refused the budget at the last commit: decide as if it were spent. */
  budgetRefused: boolean;
  /** Undefined until the cluster was read; the plan asks for it (and the snapshot's guard reads) when an action is
   *  on the table. */
  facts?: TargetFacts;
  config: { budgetMax: number; actionLeaseMs: number };
  traits: ActionTraitsOf;
  /** The lease token an action would run under (random; handed in to keep this pure). */
  token: string;
}

export type CommitBody = Omit<CommitRequest, 'expectTarget' | 'expectUnit'>;

export interface TargetPlan {
  kind: 'planned';
  commit: CommitBody;
  verdict: Verdict;
  /** Set when the action is to be performed, under this lease token. */
  act?: { action: Action; token: string; why: string; ladderStep: number };
  /** The action the audit names for a skip (what would have been done), if any. */
  intended?: Action;
  detail?: string;
  /** A skip is audited (heal.skipped) unless it is a pass that settles nothing. */
  audited: boolean;
  consecutiveFailures: number;
  /** Set when this result settled whether the unit's last action healed it. */
  judged?: 'healed' | 'not-healed';
  /** What follows the commit for an open alert: re-post it (a failure while it is open) or resolve it (healed). */
  openAlert?: OpenAlertStep;
}

export interface OpenAlertStep {
  kind: 'repost' | 'resolve';
  /** When the alert was raised (ms): its startsAt. */
  since: number;
}

/** An open alert is resolved by the healed judgement and re-posted at every other decision on a failure, unless
 *  this decision raises it anew (the alert action posts it itself). */
export function openAlertStep(unit: UnitState, decision: Decision, outcome: ResultFacts['outcome'], raising: boolean): OpenAlertStep | undefined {
  if (unit.alertOpenSince === 0) return undefined;
  if (decision.judged === 'healed') return { kind: 'resolve', since: unit.alertOpenSince };
  if (outcome === 'failed' && !raising && decision.verdict.reason !== 'stale-result') return { kind: 'repost', since: unit.alertOpenSince };
  return undefined;
}

export type TargetPlanStep = TargetPlan | { kind: 'need-facts'; action: Action };

/** Until when a failure counts as "failing now": in the unit's set for the verification window and the cooldown
 *  (a target that reports refreshes its entry every run, well within that; one that stopped reporting, a pod
 *  deleted by hand, drops out), in the rule's set for the verification window (a dependency's freshness). */
export function failingUntil(policy: HealingPolicy, now: number): { unit: number; rule: number } {
  return { unit: now + policy.verifyWindow + policy.cooldown, rule: now + policy.verifyWindow };
}

function podNameOf(id: string): string {
  return id.slice(id.lastIndexOf(':') + 1);
}

/** How many of the workload's live pods fail now, this one included (`failing`: target ids failing now). */
export function workloadFailing(siblings: readonly string[], failing: readonly string[], self: string): number {
  const names = new Set(failing.map(podNameOf));
  names.add(self);
  return siblings.filter((n) => names.has(n)).length;
}

function sameUnit(a: UnitState, b: UnitState): boolean {
  return (Object.keys(a) as Array<keyof UnitState>).every((k) => a[k] === b[k]);
}

/** Which failing sets this result enters or leaves: a stale result changes neither; a target the API server says is
 *  not the rule's (gone, or no longer selected) leaves both, since nothing will ever refresh or clear its entries. */
export function failingMarks(decision: Decision, outcome: ResultFacts['outcome'], failureThreshold: number, guarded?: Verdict): Pick<CommitBody, 'unitFailing' | 'ruleFailing'> {
  if (decision.verdict.reason === 'stale-result') return { unitFailing: 'keep', ruleFailing: 'keep' };
  if (guarded?.reason === 'target-gone' || guarded?.reason === 'target-not-in-rule') return { unitFailing: 'remove', ruleFailing: 'remove' };
  const overThreshold = decision.target.consecutiveFailures >= failureThreshold;
  return {
    unitFailing: outcome === 'failed' ? 'add' : 'remove',
    ruleFailing: overThreshold ? 'add' : outcome === 'passed' ? 'remove' : 'keep',
  };
}

export function planTarget(input: TargetPlanInput): TargetPlanStep {
  const { snap, result, policy, member, now, config } = input;
  const decision = decide({
    target: snap.target,
    unit: snap.unit,
    result,
    policy,
    now,
    alreadyCounted: input.alreadyCounted,
    othersFailing: snap.othersFailing,
  });
  let guarded: ReturnType<typeof guard> = { verdict: decision.verdict };
  if (decision.verdict.kind === 'act') {
    const reads = snap.guards;
    if (!input.facts || !reads) return { kind: 'need-facts', action: decision.verdict.action };
    const { siblings } = input.facts;
    const self = podNameOf(member);
    guarded = guard(
      decision.verdict,
      {
        ...input.facts.guard,
        budgetUsed: input.budgetRefused ? config.budgetMax : reads.budgetUsed,
        ...(reads.failingDependencies[0] ? { failingDependency: reads.failingDependencies[0] } : {}),
        ...(siblings ? { workloadFailing: workloadFailing(siblings, reads.failingAmong, self) } : {}),
        ...(policy.sharedCause ? { sharedCause: policy.sharedCause } : {}),
        ...(reads.paused ? { paused: reads.paused } : {}),
      },
      input.traits,
    );
  }
  const verdict = guarded.verdict;
  const acting = verdict.kind === 'act';
  const action: Action | undefined = acting ? verdict.action : guarded.intended;
  const openAlert = openAlertStep(snap.unit, decision, result.outcome, acting && verdict.action === 'alert');
  const judgedUnit: UnitState = openAlert?.kind === 'resolve' ? { ...decision.unit, alertOpenSince: 0 } : decision.unit;
  const nextUnit: UnitState = acting
    ? {
        ...judgedUnit,
        pendingAction: verdict.action,
        pendingToken: input.token,
        pendingUntil: now + config.actionLeaseMs,
        pendingSince: now,
        pendingTarget: podNameOf(member),
        pendingUid: input.facts?.podUid ?? '',
      }
    : judgedUnit;
  const stats: Array<[string, number]> = [[`reason:${verdict.reason}`, 1]];
  if (decision.judged) stats.push([`${snap.unit.verifyingAction}:${decision.judged}`, 1]);
  const detail = guarded.detail ?? input.facts?.unreadable;
  const failures = decision.target.consecutiveFailures;
  const commit: CommitBody = {
    target: decision.target,
    ...(sameUnit(nextUnit, snap.unit) ? {} : { unit: nextUnit }),
    ...failingMarks(decision, result.outcome, policy.failureThreshold, verdict),
    failingUntil: failingUntil(policy, now),
    ...(!input.alreadyCounted && isQuietPass(snap.target, snap.unit, result) ? { quiet: true } : {}),
    ...(acting && input.traits(verdict.action).budgeted ? { budget: { member: input.token, max: config.budgetMax } } : {}),
    dedupeValue: acting ? `pending:${input.token}` : 'done',
    stats,
    history: {
      at: new Date(now).toISOString(),
      target: member,
      event: result.eventId,
      outcome: result.outcome,
      decision: acting ? 'act' : 'skip',
      reason: verdict.reason,
      action,
      failures,
      judged: decision.judged,
      detail: detail ?? result.error,
    },
    now,
  };
  return {
    kind: 'planned',
    commit,
    verdict,
    ...(acting
      ? { act: { action: verdict.action, token: input.token, why: guarded.detail ?? `${failures} consecutive failures of rule ${policy.name} (${result.error ?? 'failed'})`, ladderStep: nextUnit.ladderStep } }
      : {}),
    ...(action ? { intended: action } : {}),
    ...(detail ? { detail } : {}),
    // Passes are many and say nothing new unless they settle an action; everything about a failure is audited.
    audited: result.outcome === 'failed' || decision.judged !== undefined,
    consecutiveFailures: failures,
    ...(decision.judged ? { judged: decision.judged } : {}),
    ...(openAlert ? { openAlert } : {}),
  };
}
