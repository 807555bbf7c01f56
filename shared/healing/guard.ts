// Guards between a decision to act and the act: allow-list, an operator's pause, opt-in, cascade, shared cause, budget, dry run. No I/O.
import type { Action, ActionTraitsOf } from '../actions/catalog.ts';
import type { Reason } from './reasons.ts';
import type { Verdict } from './decide.ts';

export interface GuardFacts {
  namespaceAllowed: boolean;
  /** What a fresh read of the target found; 'ok' when the action does not touch a pod. */
  target: 'ok' | 'gone' | 'not-in-rule' | 'not-opted-in' | 'unreadable';
  /** Name of a dependency rule of this rule that is failing now, if any. */
  failingDependency?: string;
  /** Pods of the target's workload, and how many of them are failing at or over the threshold (this one included). */
  workloadPods?: number;
  workloadFailing?: number;
  maxRestartShare: number;
  /** What the rule does about a shared cause (its `sharedCause` field), instead of the action's own conversion. */
  sharedCause?: Action;
  /** What the healer's own probe of the pod found just before the action, when the action confirms first. */
  confirmed?: 'passed' | 'failed' | 'not-run';
  confirmDetail?: string;
  budgetUsed: number;
  budgetMax: number;
  dryRun: boolean;
  /** An operator's pause that covers this rule, namespace or workload now, if any. */
  paused?: Pause;
}

/** A pause as the store holds it: what it covers, who set it, why, and until when (ms). */
export interface Pause {
  scope: 'namespace' | 'rule' | 'workload';
  id: string;
  by: string;
  reason: string;
  until: number;
}

export function pauseDetail(p: Pause): string {
  return `${p.scope} ${p.id} paused by ${p.by} until ${new Date(p.until).toISOString()}: ${p.reason}`;
}

export interface Guarded {
  verdict: Verdict;
  /** What the decision would have done, for the audit of a skip (dry run, budget). */
  intended?: Action;
  detail?: string;
}

/** `traits` is the action catalog's: which actions are budgeted, and what each becomes behind a failing
 *  dependency or a shared cause (unless the rule chose otherwise for a shared cause). */
export function guard(verdict: Verdict, facts: GuardFacts, traits: ActionTraitsOf): Guarded {
  if (verdict.kind === 'skip') return { verdict };
  let { action, reason } = verdict;
  let detail: string | undefined;
  const skip = (why: Reason, more?: string): Guarded => ({ verdict: { kind: 'skip', reason: why }, intended: action, ...(more ? { detail: more } : {}) });

  if (!facts.namespaceAllowed) return skip('namespace-not-allowed');
  if (facts.paused) return skip('paused', pauseDetail(facts.paused));
  if (facts.target !== 'ok') {
    const why: Reason = { gone: 'target-gone', 'not-in-rule': 'target-not-in-rule', 'not-opted-in': 'not-opted-in', unreadable: 'target-unreadable' }[facts.target] as Reason;
    return skip(why);
  }
  const whileDependencyFails = traits(action).whileDependencyFails as Action | undefined;
  if (whileDependencyFails !== undefined && facts.failingDependency !== undefined) {
    action = whileDependencyFails;
    reason = 'dependency-failing';
    detail = `dependency rule "${facts.failingDependency}" is failing: restarting would not help`;
  }
  const whenSharedCause = traits(action).whenSharedCause as Action | undefined;
  if (whenSharedCause !== undefined && facts.workloadPods !== undefined && facts.workloadFailing !== undefined) {
    const allowed = Math.max(1, Math.floor(facts.workloadPods * facts.maxRestartShare));
    if (facts.workloadFailing > allowed) {
      action = facts.sharedCause ?? whenSharedCause;
      reason = 'shared-cause';
      detail = `${facts.workloadFailing} of ${facts.workloadPods} pods are failing: a shared cause is likely`;
    }
  }
  // A pod that answers its rule's own probe now is not restarted on the strength of results alone.
  if (traits(action).confirmsFirst && facts.confirmed === 'passed') return skip('confirmed-healthy', facts.confirmDetail);
  // Nor on results the healer could not confirm (the pod starting, going away, or its probe refused): not now.
  if (traits(action).confirmsFirst && facts.confirmed === 'not-run') return skip('unconfirmed', facts.confirmDetail);
  if (traits(action).budgeted && facts.budgetUsed >= facts.budgetMax) {
    return skip('budget-exhausted', `${facts.budgetUsed} of ${facts.budgetMax} actions used in this namespace's window`);
  }
  if (facts.dryRun) return skip('dry-run', detail);
  return { verdict: { kind: 'act', action, reason }, ...(detail ? { detail } : {}) };
}
