// What the healer's pipeline tells the metrics: a decision committed, an action settled.
import type { ActionOutcome } from '../actions/outcome.ts';
import type { CommitRequest, Where } from '../store/history-store.ts';
import type { Metrics } from './metrics.ts';

const ROLES = ['primary', 'secondary'] as const;

interface GroupRecord {
  status: string;
  active: string;
}

function isGroup(unit: unknown): unit is GroupRecord {
  return typeof unit === 'object' && unit !== null && 'status' in unit && 'active' in unit;
}

/** A committed decision: counted by its reason; for a proxy group, its status as this replica committed it. */
export function recordDecision(metrics: Metrics | undefined, where: Where, before: unknown, commit: Pick<CommitRequest, 'history' | 'unit'>): void {
  if (!metrics) return;
  metrics.decisions.inc({ rule: where.rule, reason: String(commit.history.reason ?? 'none') });
  if (!('group' in where.unit) || !isGroup(commit.unit)) return;
  const group = where.unit.group;
  const after = commit.unit;
  // All 0 while the group is AllFailed: the Service still selects a role, but no proxy works.
  for (const role of ROLES) metrics.proxyActive.set({ group, role }, after.status !== 'AllFailed' && after.active === role ? 1 : 0);
  if (isGroup(before) && before.status !== after.status) metrics.proxySwitches.inc({ group });
}

/** An action that ran: counted by its outcome's kind. */
export function recordAction(metrics: Metrics | undefined, action: string, outcome: ActionOutcome): void {
  metrics?.healingActions.inc({ action, result: outcome.kind });
}
