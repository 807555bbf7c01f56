// The pure plan for one proxy pod's result, and what a redelivered event means: one subtest per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traitsOf } from '../../shared/actions/catalog.ts';
import { planProxy, proxyAlertStep } from '../../shared/healing/proxy-plan.ts';
import type { ProxyPlan, ProxyPlanInput } from '../../shared/healing/proxy-plan.ts';
import { redelivery } from '../../shared/healing/redelivery.ts';
import { EMPTY_PROXY_GROUP, EMPTY_TARGET } from '../../shared/healing/state.ts';
import type { ProxyGroupState } from '../../shared/healing/state.ts';

const T0 = 1_700_000_000_000;
const paused = { scope: 'namespace' as const, id: 'proxy', by: 'ops', reason: 'node upgrade', until: T0 + 3_600_000 };
const healthy: Partial<ProxyGroupState> = { primaryPasses: 3, secondaryPasses: 3 };
/** Primary one failure short of the threshold (2), secondary passing. */
const primaryFailing: Partial<ProxyGroupState> = { primaryFailures: 1, secondaryPasses: 3 };

function input(group: Partial<ProxyGroupState>, over: Partial<ProxyPlanInput> = {}, result: Partial<ProxyPlanInput['result']> = {}): ProxyPlanInput {
  return {
    snap: { target: EMPTY_TARGET, unit: { ...EMPTY_PROXY_GROUP, ...group }, budgetUsed: 0 },
    result: { role: 'primary', outcome: 'failed', observedAt: T0, runId: 'run-9', error: 'status 503', eventId: 'e-1', ...result },
    policy: { failureThreshold: 2, successThreshold: 3, cooldown: 0, namespaceAllowed: true, dryRun: false, restartFailed: false },
    member: 'squid-egress:proxy:Proxy:squid-primary-0',
    now: T0,
    alreadyCounted: false,
    budgetRefused: false,
    config: { budgetMax: 5, maxRestartShare: 0.5, actionLeaseMs: 30_000 },
    traits: traitsOf,
    token: 'tok',
    ...over,
  };
}

function show(plan: ProxyPlan): string {
  const n = plan.next;
  const what =
    n.kind === 'skip'
      ? `skip ${n.reason}${n.audited ? ` audited(${n.action})` : ''}`
      : n.kind === 'status-only'
        ? `status-only ${n.to} ${n.status}`
        : `act ${n.action} ${n.status} ${n.reason}`;
  return `${what} ${plan.commit.dedupeValue}${plan.commit.budget ? ' budget' : ''}`;
}

test('table: what a proxy result plans, and why', async (t) => {
  const allFailed: Partial<ProxyGroupState> = { status: 'AllFailed', active: 'primary', primaryFailures: 2, secondaryFailures: 2 };
  const rows: Array<[string, ProxyPlanInput, string]> = [
    ['a primary failure below the threshold', input(healthy), 'skip below-threshold audited(none) done'],
    ['a primary pass', input(healthy, {}, { outcome: 'passed' }), 'skip passing done'],
    ['the primary down, the secondary healthy: switch under a lease and the budget', input(primaryFailing), 'act switch-proxy SecondaryActive primary-failed pending:tok budget'],
    ['the same in dry run: skipped, naming the switch', input(primaryFailing, { policy: { ...input({}).policy, dryRun: true } }), 'skip dry-run audited(switch-proxy) done'],
    ['the same outside the allow-list', input(primaryFailing, { policy: { ...input({}).policy, namespaceAllowed: false } }), 'skip namespace-not-allowed audited(none) done'],
    ['the same with the budget refused', input(primaryFailing, { budgetRefused: true }), 'skip budget-exhausted audited(none) done'],
    ['both down: AllFailed and an alert, off the budget', input({ primaryFailures: 1, secondaryFailures: 2 }), 'act alert AllFailed all-proxies-failed pending:tok'],
    ['both down in dry run: no AllFailed', input({ primaryFailures: 1, secondaryFailures: 2 }, { policy: { ...input({}).policy, dryRun: true } }), 'skip dry-run audited(switch-proxy) done'],
    ['AllFailed, the primary the Service selects recovers: a status change only, never guarded', input({ ...allFailed, primaryFailures: 0, primaryPasses: 2 }, { budgetRefused: true }, { outcome: 'passed' }), 'status-only primary PrimaryActive done'],
    ['the primary down while paused: no switch', input(primaryFailing, { snap: { ...input(primaryFailing).snap, paused } }), 'skip paused audited(switch-proxy) done'],
    ['AllFailed, the primary the Service selects recovers while paused: the status change still happens', input({ ...allFailed, primaryFailures: 0, primaryPasses: 2 }, { snap: { ...input({ ...allFailed, primaryFailures: 0, primaryPasses: 2 }).snap, paused } }, { outcome: 'passed' }), 'status-only primary PrimaryActive done'],
    ['AllFailed, the secondary recovers: a real switch', input({ ...allFailed, secondaryFailures: 0, secondaryPasses: 2 }, {}, { role: 'secondary', outcome: 'passed' }), 'act switch-proxy SecondaryActive secondary-recovered pending:tok budget'],
  ];
  for (const [name, row, expected] of rows) await t.test(name, () => assert.equal(show(planProxy(row)), expected));
});

test('a switch held by a pause says who paused it, until when and why', () => {
  const plan = planProxy(input(primaryFailing, { snap: { ...input(primaryFailing).snap, paused } }));
  const detail = 'namespace proxy paused by ops until 2023-11-14T23:13:20.000Z: node upgrade';
  assert.deepEqual([plan.next.kind === 'skip' && plan.next.detail, plan.commit.history.detail, plan.commit.history.action], [detail, detail, 'switch-proxy']);
});

test('a switch names where the Service pointed before; AllFailed says none', () => {
  assert.equal(planProxy(input(primaryFailing)).from, 'primary');
  assert.equal(planProxy(input({ status: 'AllFailed', active: 'secondary', secondaryFailures: 2, primaryFailures: 2 })).from, 'none');
});

test('table: a redelivered event', async (t) => {
  const held = { pendingToken: 'tok', pendingUntil: T0 + 1 };
  const rows: Array<[string, Parameters<typeof redelivery>[0], { pendingToken: string; pendingUntil: number }, string]> = [
    ['never seen', undefined, held, 'new'],
    ['its action failed transiently', 'retry', held, 'again'],
    ['its lease is still held', { pending: 'tok' }, held, 'busy'],
    ['its lease ran out (a crash)', { pending: 'tok' }, { pendingToken: 'tok', pendingUntil: T0 - 1 }, 'again'],
    ['another lease holds the unit', { pending: 'tok' }, { pendingToken: 'other', pendingUntil: T0 + 1 }, 'again'],
  ];
  for (const [name, dedupe, holder, expected] of rows) await t.test(name, () => assert.equal(redelivery(dedupe, holder, T0), expected));
});

test('table: once traffic moved off a failing role, its failing pod is restarted (when the ladder has restart)', async (t) => {
  const movedOff: Partial<ProxyGroupState> = { status: 'SecondaryActive', active: 'secondary', primaryFailures: 2, secondaryPasses: 3 };
  const withRestart = (over: Partial<ProxyPlanInput['policy']> = {}) => ({ ...input({}).policy, restartFailed: true, cooldown: 60_000, ...over });
  const rows: Array<[string, ProxyPlanInput, string]> = [
    ['the failing primary\'s pod, opted in: restart under a lease and the budget', input(movedOff, { policy: withRestart(), pod: { optedIn: true } }), 'act restart SecondaryActive failed-over pending:tok budget'],
    ['without restart in the ladder: nothing', input(movedOff, { pod: { optedIn: true } }), 'skip below-threshold audited(none) done'],
    ['not opted in', input(movedOff, { policy: withRestart(), pod: { optedIn: false } }), 'skip not-opted-in audited(none) done'],
    ['within the cooldown of the last restart', input({ ...movedOff, lastRestartAt: T0 - 1_000 }, { policy: withRestart(), pod: { optedIn: true } }), 'skip cooldown audited(none) done'],
    ['the role traffic is on is never restarted this way', input({ ...movedOff, status: 'PrimaryActive', active: 'primary' }, { policy: withRestart(), pod: { optedIn: true } }), 'act switch-proxy SecondaryActive primary-failed pending:tok budget'],
    ['"no running pod": nothing to restart', input(movedOff, { policy: withRestart() }), 'skip below-threshold audited(none) done'],
  ];
  for (const [name, row, expected] of rows) await t.test(name, () => assert.equal(show(planProxy(row)), expected));
});

test('an open AllFailed alert is re-posted at a failure while AllFailed lasts and resolved on leaving it', () => {
  const open = { ...EMPTY_PROXY_GROUP, status: 'AllFailed' as const, alertOpenSince: 5 };
  const skip = { kind: 'skip' as const, reason: 'all-proxies-failed' as const, audited: true, action: 'none' as const };
  assert.deepEqual(proxyAlertStep(open, skip, 'failed'), { kind: 'repost', since: 5 });
  assert.equal(proxyAlertStep(open, skip, 'passed'), undefined);
  assert.deepEqual(proxyAlertStep(open, { kind: 'status-only', to: 'primary', status: 'PrimaryActive', reason: 'primary-recovered' }, 'passed'), { kind: 'resolve', since: 5 });
  assert.deepEqual(proxyAlertStep(open, { kind: 'act', action: 'switch-proxy', to: 'secondary', status: 'SecondaryActive', reason: 'secondary-recovered', token: 't' }, 'passed'), { kind: 'resolve', since: 5 });
  assert.equal(proxyAlertStep({ ...open, alertOpenSince: 0 }, skip, 'failed'), undefined);
});
