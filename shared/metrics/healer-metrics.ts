// What the healer's pipeline tells the metrics: a decision committed, an action settled.
import type { ActionOutcome } from '../actions/outcome.ts';
import type { CommitRequest, FinalizeRequest, Where } from '../store/history-store.ts';
import type { Metrics } from './metrics.ts';

const ROLES = ['primary', 'secondary'] as const;

interface GroupRecord {
  status: string;
  active: string;
}

function isGroup(unit: unknown): unit is GroupRecord {
  return typeof unit === 'object' && unit !== null && 'status' in unit && 'active' in unit;
}

function showGroup(metrics: Metrics, group: string, after: GroupRecord): void {
  // All 0 while the group is AllFailed: the Service still selects a role, but no proxy works.
  for (const role of ROLES) metrics.proxyActive.set({ group, role }, after.status !== 'AllFailed' && after.active === role ? 1 : 0);
}

/** A committed decision: counted by its reason; for a proxy group, its status as this replica committed it. */
export function recordDecision(metrics: Metrics | undefined, where: Where, commit: Pick<CommitRequest, 'history' | 'unit'>): void {
  if (!metrics) return;
  metrics.decisions.inc({ rule: where.rule, reason: String(commit.history.reason ?? 'none') });
  if (!('group' in where.unit) || !isGroup(commit.unit)) return;
  showGroup(metrics, where.unit.group, commit.unit);
}

/** An action that ran: counted by its outcome's kind; for a proxy group, the status and role its settling records,
 *  and a switch when the Service's selector moved (a status change alone, AllFailed say, is no switch). */
export function recordAction(metrics: Metrics | undefined, where: Where, action: string, outcome: ActionOutcome, settled: Pick<FinalizeRequest, 'set' | 'incr'>, committed: unknown): void {
  if (!metrics) return;
  metrics.healingActions.inc({ action, result: outcome.kind });
  if (!('group' in where.unit) || !isGroup(committed) || settled.set.status === undefined) return;
  const group = where.unit.group;
  showGroup(metrics, group, { status: String(settled.set.status), active: String(settled.set.active ?? committed.active) });
  if (settled.incr.some(([field]) => field === 'switches')) metrics.proxySwitches.inc({ group });
}
