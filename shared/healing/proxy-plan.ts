// The whole decision for one proxy pod's result, as data: the group's state machine, the guards on a switch,
// the status-only moves out of AllFailed, what to commit and what follows. No I/O.
import type { ActionTraitsOf } from '../actions/catalog.ts';
import { countResult } from './decide.ts';
import type { ResultFacts } from './decide.ts';
import { guard } from './guard.ts';
import type { GuardFacts, Pause } from './guard.ts';
import { decideProxy } from './proxy-group.ts';
import type { ProxyPolicy, ProxyVerdict, Role } from './proxy-group.ts';
import type { Reason } from './reasons.ts';
import type { ProxyGroupState, ProxyGroupStatus, TargetState } from './state.ts';
import type { CommitBody, OpenAlertStep } from './target-plan.ts';

export interface ProxyPlanInput {
  snap: { target: TargetState; unit: ProxyGroupState; budgetUsed: number; paused?: Pause };
  result: ResultFacts & { role: Role; runId: string; eventId: string };
  policy: ProxyPolicy & { namespaceAllowed: boolean; dryRun: boolean; restartFailed: boolean };
  /** The proxy pod the result is about, as the healer re-read it (none for a role without pods). */
  pod?: { optedIn: boolean };
  member: string;
  now: number;
  alreadyCounted: boolean;
  budgetRefused: boolean;
  config: { budgetMax: number; maxRestartShare: number; actionLeaseMs: number };
  traits: ActionTraitsOf;
  token: string;
}

/** What follows the commit: nothing, a change of status alone, or an action under a lease. */
export type ProxyNext =
  | { kind: 'skip'; reason: Reason; audited: boolean; action: 'switch-proxy' | 'none'; detail?: string }
  | { kind: 'status-only'; to: Role; status: ProxyGroupStatus; reason: Reason }
  | { kind: 'act'; action: 'switch-proxy'; to: Role; status: ProxyGroupStatus; reason: Reason; token: string }
  | { kind: 'act'; action: 'alert'; status: 'AllFailed'; reason: Reason; token: string }
  | { kind: 'act'; action: 'restart'; status: ProxyGroupStatus; reason: Reason; token: string };

export interface ProxyPlan {
  commit: CommitBody;
  next: ProxyNext;
  /** The role the Service selected before this result ('none' while AllFailed), as proxy.switched says. */
  from: Role | 'none';
  /** The group's status once committed. */
  status: ProxyGroupStatus;
  consecutiveFailures: number;
  /** What follows for an open AllFailed alert: re-posted at a failure while AllFailed lasts, resolved on leaving it
   *  (a switch resolves it once performed). */
  openAlert?: OpenAlertStep;
}

/** The open alert of a group: resolved when this result leaves AllFailed, re-posted at any other failure in it. */
export function proxyAlertStep(g: ProxyGroupState, next: ProxyNext, outcome: ResultFacts['outcome']): OpenAlertStep | undefined {
  if (g.alertOpenSince === 0) return undefined;
  const leaving = g.status === 'AllFailed' && (next.kind === 'status-only' || (next.kind === 'act' && next.action === 'switch-proxy'));
  if (leaving) return { kind: 'resolve', since: g.alertOpenSince };
  if (g.status === 'AllFailed' && outcome === 'failed' && next.reason !== 'stale-result' && next.kind === 'skip') return { kind: 'repost', since: g.alertOpenSince };
  return undefined;
}

/** What the guard is told about an action on a proxy group: the same for a switch and for a proxy pod's restart. */
function groupFacts(input: ProxyPlanInput, target: 'ok' | 'not-opted-in'): GuardFacts {
  const { policy, config, snap } = input;
  return {
    namespaceAllowed: policy.namespaceAllowed,
    target,
    maxRestartShare: config.maxRestartShare,
    budgetUsed: input.budgetRefused ? config.budgetMax : snap.budgetUsed,
    budgetMax: config.budgetMax,
    dryRun: policy.dryRun,
    ...(snap.paused ? { paused: snap.paused } : {}),
  };
}

type Guarded = { verdict: ProxyVerdict; skipReason?: Reason; detail?: string };

/** Guards on what the state machine asks: AllFailed (an alert) needs an allowed namespace and no dry run; a switch
 *  of the Service goes through the guard like any action. Leaving AllFailed towards the proxy the Service already
 *  selects changes no cluster object: never blocked (else dry run or a spent budget would keep the 503 for good). */
function guardProxy(input: ProxyPlanInput, verdict: ProxyVerdict, statusOnly: boolean): Guarded {
  const { policy } = input;
  if (verdict.kind === 'enter-all-failed' && (!policy.namespaceAllowed || policy.dryRun)) {
    const reason: Reason = policy.namespaceAllowed ? 'dry-run' : 'namespace-not-allowed';
    return { verdict: { kind: 'skip', reason }, skipReason: reason };
  }
  if (verdict.kind !== 'switch' || statusOnly) return { verdict };
  const guarded = guard(
    { kind: 'act', action: 'switch-proxy', reason: verdict.reason },
    groupFacts(input, 'ok'),
    input.traits,
  );
  if (guarded.verdict.kind === 'act') return { verdict };
  return { verdict: { kind: 'skip', reason: guarded.verdict.reason }, skipReason: guarded.verdict.reason, ...(guarded.detail ? { detail: guarded.detail } : {}) };
}

/** Skips the guard decided name the switch they held back (dry run, a pause), as a target rule's skip names its action. */
const NAMES_SWITCH: ReadonlySet<Reason> = new Set(['dry-run', 'paused']);

function nextOf(g: Guarded, statusOnly: boolean, outcome: ResultFacts['outcome'], token: string): ProxyNext {
  const { verdict, skipReason } = g;
  switch (verdict.kind) {
    case 'skip': {
      const named = skipReason !== undefined && NAMES_SWITCH.has(skipReason);
      return { kind: 'skip', reason: verdict.reason, audited: outcome === 'failed' || skipReason !== undefined, action: named ? 'switch-proxy' : 'none', ...(g.detail ? { detail: g.detail } : {}) };
    }
    case 'switch':
      if (statusOnly) return { kind: 'status-only', to: verdict.to, status: verdict.status, reason: verdict.reason };
      return { kind: 'act', action: 'switch-proxy', to: verdict.to, status: verdict.status, reason: verdict.reason, token };
    case 'enter-all-failed':
      return { kind: 'act', action: 'alert', status: 'AllFailed', reason: verdict.reason, token };
  }
}

/**
 * Once traffic has moved off a role that fails, that role's failing pods are restarted when the rule's ladder has
 * `restart`: nobody is served by them, and a fresh pod may pass again (then fail-back happens as ever). One restart
 * per cooldown, through the guards of any restart (namespace, opt-in label, budget, dry run).
 */
function restartOfFailedRole(input: ProxyPlanInput, g: ProxyGroupState, verdict: ProxyVerdict): ProxyNext | undefined {
  const { result, policy, now } = input;
  if (!policy.restartFailed || verdict.kind !== 'skip' || result.outcome !== 'failed' || !input.pod) return undefined;
  if (verdict.reason === 'stale-result' || verdict.reason === 'action-in-progress') return undefined;
  const failures = result.role === 'primary' ? g.primaryFailures : g.secondaryFailures;
  if (failures < policy.failureThreshold || g.status === 'AllFailed' || g.active === result.role) return undefined;
  if (now < g.lastRestartAt + policy.cooldown) return { kind: 'skip', reason: 'cooldown', audited: true, action: 'none' };
  const guarded = guard(
    { kind: 'act', action: 'restart', reason: 'failed-over' },
    groupFacts(input, input.pod.optedIn ? 'ok' : 'not-opted-in'),
    input.traits,
  );
  if (guarded.verdict.kind === 'skip') return { kind: 'skip', reason: guarded.verdict.reason, audited: true, action: 'none', ...(guarded.detail ? { detail: guarded.detail } : {}) };
  return { kind: 'act', action: 'restart', status: g.status, reason: 'failed-over', token: input.token };
}

export function planProxy(input: ProxyPlanInput): ProxyPlan {
  const { snap, result, now } = input;
  const decision = decideProxy({ group: snap.unit, result, policy: input.policy, now, alreadyCounted: input.alreadyCounted });
  const stale = decision.verdict.reason === 'stale-result';
  const target = input.alreadyCounted || stale ? snap.target : countResult(snap.target, result);
  const statusOnly = decision.verdict.kind === 'switch' && decision.verdict.to === snap.unit.active;
  const guarded = guardProxy(input, decision.verdict, statusOnly);
  const { verdict, skipReason } = guarded;
  const next = restartOfFailedRole(input, decision.group, verdict) ?? nextOf(guarded, statusOnly, result.outcome, input.token);
  const acting = next.kind === 'act';
  let group: ProxyGroupState = acting ? { ...decision.group, pendingToken: input.token, pendingUntil: now + input.config.actionLeaseMs } : decision.group;
  const openAlert = proxyAlertStep(snap.unit, next, result.outcome);
  if (next.kind === 'status-only') group = { ...group, status: next.status, ...(openAlert?.kind === 'resolve' ? { alertOpenSince: 0 } : {}) };
  const commit: CommitBody = {
    target,
    unit: group,
    unitFailing: 'keep',
    ruleFailing: 'keep',
    ...(acting && input.traits(next.action).budgeted ? { budget: { member: input.token, max: input.config.budgetMax } } : {}),
    dedupeValue: acting ? `pending:${input.token}` : 'done',
    stats: [[`reason:${next.reason}`, 1]],
    history: {
      at: new Date(now).toISOString(),
      target: input.member,
      event: result.eventId,
      role: result.role,
      outcome: result.outcome,
      decision: acting ? 'act' : 'skip',
      reason: next.reason,
      status: group.status,
      action: next.kind === 'act' && next.action === 'restart' ? 'restart' : verdict.kind === 'switch' || (skipReason && NAMES_SWITCH.has(skipReason)) ? 'switch-proxy' : verdict.kind === 'enter-all-failed' ? 'alert' : undefined,
      detail: (next.kind === 'skip' ? next.detail : undefined) ?? result.error,
    },
    now,
  };
  const from = snap.unit.status === 'AllFailed' ? 'none' : snap.unit.active;
  return { commit, next, from, status: group.status, consecutiveFailures: target.consecutiveFailures, ...(openAlert ? { openAlert } : {}) };
}
