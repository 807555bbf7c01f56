// Renders reader rows as tables for people. Pure: rows and the instant "now" in, text out.
import { objectPath, parseId } from './ids.ts';
import type { HistoryRow, PassingRun } from './read-history.ts';
import type { ProxyRow } from './read-proxies.ts';
import type { RuleStats } from './read-stats.ts';
import type { TargetRow } from './read-targets.ts';
import type { UnitRow } from './read-units.ts';
import { NONE, formatTable, orNone, percent, relativeTime, shortTime, truncate } from './table.ts';
import type { Column } from './table.ts';

const DETAIL_WIDTH = 60;

const ago = (at: number | null, now: number) => (at === null ? NONE : relativeTime(at, now));
const count = (n: number) => String(n);

export function targetState(t: TargetRow): string {
  if (t.state === 'failing') return `failing ${t.consecutiveFailures}${t.overThreshold ? ' (over threshold)' : ''}`;
  return t.state;
}

function unitPath(id: string | null): string {
  const parsed = id === null ? undefined : parseId(id);
  return parsed ? objectPath(parsed) : NONE;
}

export function targetsTable(rows: readonly TargetRow[], now: number): string {
  const columns: Column<TargetRow>[] = [
    { header: 'RULE', cell: (t) => t.rule },
    { header: 'TARGET', cell: (t) => objectPath(t) },
    { header: 'STATE', cell: targetState },
    { header: 'FAILURES', cell: (t) => count(t.consecutiveFailures), align: 'right' },
    { header: 'LAST FAILURE', cell: (t) => (t.lastFailureAt === null ? NONE : `${ago(t.lastFailureAt, now)}${t.lastError ? `: ${truncate(t.lastError, DETAIL_WIDTH)}` : ''}`) },
    { header: 'LAST RESULT', cell: (t) => ago(t.lastResultAt, now) },
    { header: 'FAILING IN UNIT', cell: (t) => unitPath(t.unit) },
  ];
  return formatTable(columns, rows);
}

export function unitsTable(rows: readonly UnitRow[], now: number): string {
  const columns: Column<UnitRow>[] = [
    { header: 'RULE', cell: (u) => u.rule },
    { header: 'UNIT', cell: (u) => objectPath(u) },
    { header: 'STEP', cell: (u) => count(u.ladderStep), align: 'right' },
    { header: 'LAST ACTION', cell: (u) => (u.lastAction === null ? NONE : `${u.lastAction} ${ago(u.lastActionAt, now)}`) },
    { header: 'PENDING', cell: (u) => (u.pendingAction === null ? NONE : `${u.pendingAction} (lease ends ${ago(u.pendingUntil, now)})`) },
    { header: 'VERIFYING', cell: (u) => (u.verifyingAction === null ? NONE : `${u.verifyingAction} since ${ago(u.verifyingSince, now)}`) },
    { header: 'PERFORMED', cell: (u) => count(u.actionsPerformed), align: 'right' },
    { header: 'HEALED', cell: (u) => count(u.actionsHealed), align: 'right' },
    { header: 'NOT HEALED', cell: (u) => count(u.actionsNotHealed), align: 'right' },
    { header: 'SUCCESS', cell: (u) => percent(u.successRate ?? undefined), align: 'right' },
    { header: 'FAILING', cell: (u) => count(u.failingTargets.length), align: 'right' },
  ];
  return formatTable(columns, rows);
}

/** The run of passes a target is in, which its stream does not list one by one. */
export function passingLine(run: PassingRun, now: number): string {
  return `passing: ${run.consecutivePasses} ${run.consecutivePasses === 1 ? 'pass' : 'passes'} in a row, the last ${relativeTime(run.lastResultAt, now)} (a pass that changes nothing is counted, not listed)`;
}

/** The timeline; columns the stream never filled (role and status outside proxy groups, say) are left out. */
export function historyTable(rows: readonly HistoryRow[], now: number, withTarget: boolean): string {
  const text = (pick: (h: HistoryRow) => string | null) => (h: HistoryRow) => orNone(pick(h) ?? undefined);
  const all: Array<Column<HistoryRow> & { optional?: boolean }> = [
    { header: 'TIME', cell: (h) => shortTime(h.at) },
    { header: 'AGO', cell: (h) => relativeTime(h.at, now) },
    ...(withTarget ? [{ header: 'TARGET', cell: (h: HistoryRow) => (h.target === null ? NONE : `${parseId(h.target)?.rule ?? ''} ${unitPath(h.target)}`.trim()) }] : []),
    { header: 'ROLE', cell: text((h) => h.role), optional: true },
    { header: 'RESULT', cell: text((h) => h.outcome), optional: true },
    { header: 'DECISION', cell: text((h) => h.decision) },
    { header: 'REASON', cell: text((h) => h.reason) },
    { header: 'ACTION', cell: text((h) => h.action), optional: true },
    { header: 'FAILURES', cell: (h) => (h.failures === null ? NONE : count(h.failures)), align: 'right', optional: true },
    { header: 'JUDGED', cell: text((h) => h.judged), optional: true },
    { header: 'STATUS', cell: text((h) => h.status), optional: true },
    { header: 'DETAIL', cell: (h) => (h.detail === null ? NONE : truncate(h.detail, DETAIL_WIDTH)), optional: true },
  ];
  const columns = all.filter((c) => !c.optional || rows.some((r) => c.cell(r) !== NONE));
  return formatTable(columns, rows);
}

export function proxiesTable(rows: readonly ProxyRow[], now: number): string {
  const role = (failures: number, passes: number, at: number | null) => `${failures} failed, ${passes} passed${at === null ? '' : ` (${ago(at, now)})`}`;
  const columns: Column<ProxyRow>[] = [
    { header: 'GROUP', cell: (p) => p.group },
    { header: 'STATUS', cell: (p) => p.status },
    { header: 'ACTIVE', cell: (p) => p.active },
    { header: 'PRIMARY', cell: (p) => role(p.primaryFailures, p.primaryPasses, p.primaryLastResultAt) },
    { header: 'SECONDARY', cell: (p) => role(p.secondaryFailures, p.secondaryPasses, p.secondaryLastResultAt) },
    { header: 'SWITCHES', cell: (p) => count(p.switches), align: 'right' },
    { header: 'LAST SWITCH', cell: (p) => ago(p.lastSwitchAt, now) },
  ];
  return formatTable(columns, rows);
}

export function statsTables(rows: readonly RuleStats[]): string {
  const actions = rows.flatMap((r) => r.actions.map((a) => ({ rule: r.rule, ...a })));
  const reasons = rows.flatMap((r) => r.reasons.map((x) => ({ rule: r.rule, ...x })));
  const actionTable = formatTable<(typeof actions)[number]>(
    [
      { header: 'RULE', cell: (a) => a.rule },
      { header: 'ACTION', cell: (a) => a.action },
      { header: 'PERFORMED', cell: (a) => count(a.performed), align: 'right' },
      { header: 'HEALED', cell: (a) => count(a.healed), align: 'right' },
      { header: 'NOT HEALED', cell: (a) => count(a.notHealed), align: 'right' },
      { header: 'FAILED', cell: (a) => count(a.failed), align: 'right' },
      { header: 'DEFERRED', cell: (a) => count(a.deferred), align: 'right' },
      { header: 'SUCCESS', cell: (a) => percent(a.successRate ?? undefined), align: 'right' },
    ],
    actions,
  );
  const reasonTable = formatTable<(typeof reasons)[number]>(
    [
      { header: 'RULE', cell: (r) => r.rule },
      { header: 'REASON', cell: (r) => r.reason },
      { header: 'COUNT', cell: (r) => count(r.count), align: 'right' },
    ],
    reasons,
  );
  return `Actions\n${actions.length > 0 ? actionTable : '(no action taken yet)'}\n\nDecision reasons\n${reasonTable}`;
}
