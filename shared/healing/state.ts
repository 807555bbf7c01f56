// What the healer remembers per target, per healing unit (a workload, or the target itself) and per proxy group,
// and how those records map to the flat string fields of Redis hashes.
import type { Action } from '../rules/schema.ts';

/** One probed thing under one rule: a pod, a Service, a proxy pod. */
export interface TargetState {
  version: number;
  consecutiveFailures: number;
  consecutivePasses: number;
  /** observedAt (ms) of the newest result applied; older results change nothing. */
  lastResultAt: number;
  lastFailureAt: number;
  lastError: string;
  totalFailures: number;
  totalPasses: number;
  /** The pod's container restarts by the kubelet, as last reported: a rise means it already restarted itself. */
  restarts: number;
}

/** What is healed together: the workload of a pod, or the target itself. Ladder, cooldown and verification live here. */
export interface UnitState {
  version: number;
  /** Index into the rule's actions of the next action to take. */
  ladderStep: number;
  lastAction: Action | '';
  lastActionAt: number;
  /** Set after an action until it is judged healed or not. */
  verifyingAction: Action | '';
  verifyingSince: number;
  pendingAction: Action | '';
  pendingToken: string;
  pendingUntil: number;
  /** When the pending action was committed, and the pod it acts on (name, uid) as the decision read it: what a
   *  lease that ran out without an outcome is resolved against. */
  pendingSince: number;
  pendingTarget: string;
  pendingUid: string;
  actionsPerformed: number;
  actionsHealed: number;
  actionsNotHealed: number;
  /** When an alert about the unit was raised (ms), until the unit is judged healed: 0 when none is open. While
   *  open, every decision on a failure re-posts it to Alertmanager; the healed judgement resolves it. */
  alertOpenSince: number;
}

export type ProxyGroupStatus = 'PrimaryActive' | 'SecondaryActive' | 'AllFailed';

export interface ProxyGroupState {
  version: number;
  status: ProxyGroupStatus;
  /** The role the Service selects now (stays put while AllFailed). */
  active: 'primary' | 'secondary';
  primaryFailures: number;
  primaryPasses: number;
  secondaryFailures: number;
  secondaryPasses: number;
  primaryLastResultAt: number;
  secondaryLastResultAt: number;
  /** Each role counts once per check run (a run probes every pod of a role): the run, its outcome so far,
   *  and the counters from before it. */
  primaryRun: string;
  primaryRunOutcome: string;
  primaryRunFailuresBefore: number;
  primaryRunPassesBefore: number;
  secondaryRun: string;
  secondaryRunOutcome: string;
  secondaryRunFailuresBefore: number;
  secondaryRunPassesBefore: number;
  lastSwitchAt: number;
  switches: number;
  /** When a pod of a role that traffic had moved off was last restarted: one such restart per cooldown. */
  lastRestartAt: number;
  pendingToken: string;
  pendingUntil: number;
  /** When the AllFailed alert was raised (ms), until the group leaves AllFailed: 0 when none is open. */
  alertOpenSince: number;
}

export const EMPTY_TARGET: TargetState = Object.freeze({
  version: 0,
  consecutiveFailures: 0,
  consecutivePasses: 0,
  lastResultAt: 0,
  lastFailureAt: 0,
  lastError: '',
  totalFailures: 0,
  totalPasses: 0,
  restarts: 0,
});

export const EMPTY_UNIT: UnitState = Object.freeze({
  version: 0,
  ladderStep: 0,
  lastAction: '',
  lastActionAt: 0,
  verifyingAction: '',
  verifyingSince: 0,
  pendingAction: '',
  pendingToken: '',
  pendingUntil: 0,
  pendingSince: 0,
  pendingTarget: '',
  pendingUid: '',
  actionsPerformed: 0,
  actionsHealed: 0,
  actionsNotHealed: 0,
  alertOpenSince: 0,
});

export const EMPTY_PROXY_GROUP: ProxyGroupState = Object.freeze({
  version: 0,
  status: 'PrimaryActive',
  active: 'primary',
  primaryFailures: 0,
  primaryPasses: 0,
  secondaryFailures: 0,
  secondaryPasses: 0,
  primaryLastResultAt: 0,
  secondaryLastResultAt: 0,
  primaryRun: '',
  primaryRunOutcome: '',
  primaryRunFailuresBefore: 0,
  primaryRunPassesBefore: 0,
  secondaryRun: '',
  secondaryRunOutcome: '',
  secondaryRunFailuresBefore: 0,
  secondaryRunPassesBefore: 0,
  lastSwitchAt: 0,
  switches: 0,
  lastRestartAt: 0,
  pendingToken: '',
  pendingUntil: 0,
  alertOpenSince: 0,
});

/** Reads a Redis hash into a record shaped like `empty`: numbers where empty has numbers, strings otherwise. */
export function fromHash<T extends object>(empty: T, hash: Readonly<Record<string, string>>): T {
  const out: Record<string, unknown> = { ...(empty as Record<string, unknown>) };
  for (const [key, fallback] of Object.entries(empty)) {
    const raw = hash[key];
    if (raw === undefined) continue;
    if (typeof fallback === 'number') {
      const n = Number(raw);
      out[key] = Number.isFinite(n) ? n : fallback;
    } else out[key] = raw;
  }
  return out as T;
}

export function toHash<T extends object>(state: T): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(state)) out[key] = String(value);
  return out;
}
