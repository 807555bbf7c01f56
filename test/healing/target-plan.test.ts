// The pure plan for one target: one subtest per row, so a bad row does not hide the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traitsOf } from '../../shared/actions/catalog.ts';
import { EMPTY_TARGET, EMPTY_UNIT } from '../../shared/healing/state.ts';
import { failingUntil, planTarget, workloadFailing } from '../../shared/healing/target-plan.ts';
import type { TargetFacts, TargetPlanInput, TargetPlanStep } from '../../shared/healing/target-plan.ts';
import type { GuardReads } from '../../shared/store/history-store.ts';

const T0 = 1_700_000_000_000;
const policy = { name: 'web-http', failureThreshold: 3, successThreshold: 2, cooldown: 60_000, verifyWindow: 30_000, actions: ['restart', 'scale', 'alert'] as const };
const member = 'web-http:shop:Pod:web-a';
const NO_GUARDS: GuardReads = { budgetUsed: 0, failingDependencies: [], failingAmong: [] };
const ok: TargetFacts = { guard: { namespaceAllowed: true, target: 'ok', maxRestartShare: 0.5, budgetMax: 5, dryRun: false, workloadPods: 4 }, siblings: ['web-a', 'web-b', 'web-c', 'web-d'] };

function input(over: Partial<TargetPlanInput> & { failures?: number } = {}): TargetPlanInput {
  const { failures = 2, ...rest } = over;
  return {
    snap: { target: { ...EMPTY_TARGET, consecutiveFailures: failures, lastResultAt: T0 - 10_000 }, unit: EMPTY_UNIT, othersFailing: 0, guards: NO_GUARDS },
    result: { outcome: 'failed', observedAt: T0, error: 'status 500', eventId: 'e-1' },
    policy,
    member,
    now: T0,
    alreadyCounted: false,
    budgetRefused: false,
    config: { budgetMax: 5, actionLeaseMs: 30_000 },
    traits: traitsOf,
    token: 'tok',
    ...rest,
  };
}

const passed = { outcome: 'passed' as const, observedAt: T0, eventId: 'e-2' };

/** One line that says what the plan does: the verdict, the failing-set marks, the action and whether it is audited. */
function show(step: TargetPlanStep): string {
  if (step.kind === 'need-facts') return `need-facts ${step.action}`;
  const v = step.verdict;
  const verdict = v.kind === 'act' ? `act ${v.action} ${v.reason}` : `skip ${v.reason}${step.intended ? ` (${step.intended})` : ''}`;
  const budget = step.commit.budget ? ' budget' : '';
  return `${verdict} unit:${step.commit.unitFailing} rule:${step.commit.ruleFailing} ${step.commit.dedupeValue}${budget}${v.kind === 'skip' && step.audited ? ' audited' : ''}${step.commit.quiet ? ' quiet' : ''}`;
}

test('table: what one result plans, and why', async (t) => {
  const pod = (name: string) => `web-http:shop:Pod:${name}`;
  const guards = (over: Partial<typeof NO_GUARDS>) => ({ ...input().snap, guards: { ...NO_GUARDS, ...over } });
  const rows: Array<[string, TargetPlanInput, string]> = [
    ['a failure below the threshold', input({ failures: 0 }), 'skip below-threshold unit:add rule:keep done audited'],
    ['a pass on a healthy target is not audited, and counted without a stream entry', input({ failures: 0, result: passed }), 'skip passing unit:remove rule:remove done quiet'],
    ['the first pass after a failure is recorded', input({ failures: 1, result: passed }), 'skip passing unit:remove rule:remove done'],
    ['a pass while an action is verified is recorded', input({ failures: 0, result: passed, snap: { ...input().snap, unit: { ...EMPTY_UNIT, verifyingAction: 'restart', verifyingSince: T0 - 1_000 } } }), 'skip passing unit:remove rule:remove done'],
    ['a stale result marks nothing', input({ result: { ...passed, observedAt: T0 - 20_000 } }), 'skip stale-result unit:keep rule:keep done'],
    ['the threshold reached: the cluster is read first', input(), 'need-facts restart'],
    ['the cluster read, but not yet what the guards count in Redis', input({ facts: ok, snap: { ...input().snap, guards: undefined } }), 'need-facts restart'],
    ['the pod is gone (404 on the re-read): it leaves both failing sets', input({ facts: { ...ok, guard: { ...ok.guard, target: 'gone' } } }), 'skip target-gone (restart) unit:remove rule:remove done audited'],
    ['the pod no longer matches the rule: it leaves both failing sets', input({ facts: { ...ok, guard: { ...ok.guard, target: 'not-in-rule' } } }), 'skip target-not-in-rule (restart) unit:remove rule:remove done audited'],
    ['a pod not opted in stays failing', input({ facts: { ...ok, guard: { ...ok.guard, target: 'not-opted-in' } } }), 'skip not-opted-in (restart) unit:add rule:add done audited'],
    ['the threshold reached, the pod fine: restart under a lease and the budget', input({ facts: ok }), 'act restart threshold-reached unit:add rule:add pending:tok budget'],
    ['a failing dependency turns the restart into an alert, off the budget', input({ facts: ok, snap: guards({ failingDependencies: ['shop-deps'] }) }), 'act alert dependency-failing unit:add rule:add pending:tok'],
    ['three of four pods failing now: a shared cause, alert', input({ facts: ok, snap: guards({ failingAmong: [pod('web-b'), pod('web-c')] }) }), 'act alert shared-cause unit:add rule:add pending:tok'],
    ['two of four failing: within the share, restart', input({ facts: ok, snap: guards({ failingAmong: [pod('web-c')] }) }), 'act restart threshold-reached unit:add rule:add pending:tok budget'],
    ['the budget read with the guards is spent', input({ facts: ok, snap: guards({ budgetUsed: 5 }) }), 'skip budget-exhausted (restart) unit:add rule:add done audited'],
    ['the store refused the budget: skip, saying what it would have done', input({ facts: ok, budgetRefused: true }), 'skip budget-exhausted (restart) unit:add rule:add done audited'],
    ['a pod that cannot be read', input({ facts: { guard: { ...ok.guard, target: 'unreadable' }, unreadable: 'reading pod: 403 forbidden' } }), 'skip target-unreadable (restart) unit:add rule:add done audited'],
    ['dry run', input({ facts: { ...ok, guard: { ...ok.guard, dryRun: true } } }), 'skip dry-run (restart) unit:add rule:add done audited'],
    [
      'a pass that settles the last action healed is audited',
      input({ failures: 0, result: passed, snap: { ...input().snap, target: { ...EMPTY_TARGET, consecutivePasses: 1 }, unit: { ...EMPTY_UNIT, verifyingAction: 'restart', verifyingSince: T0 - 31_000 } } }),
      'skip healed unit:remove rule:remove done audited',
    ],
  ];
  for (const [name, row, expected] of rows) await t.test(name, () => assert.equal(show(planTarget(row)), expected));
});

test('an action takes a lease on the unit and says why in one line', () => {
  const step = planTarget(input({ facts: ok }));
  assert.equal(step.kind, 'planned');
  if (step.kind !== 'planned') return;
  assert.deepEqual(step.act, { action: 'restart', token: 'tok', why: '3 consecutive failures of rule web-http (status 500)', ladderStep: 0 });
  assert.deepEqual(step.commit.unit && { a: (step.commit.unit as typeof EMPTY_UNIT).pendingAction, u: (step.commit.unit as typeof EMPTY_UNIT).pendingUntil }, { a: 'restart', u: T0 + 30_000 });
  assert.deepEqual(step.commit.budget, { member: 'tok', max: 5 });
  assert.equal(step.commit.history.action, 'restart');
  assert.equal(step.commit.history.failures, 3);
});

test('a skip that leaves the unit as it was writes no unit record', () => {
  const step = planTarget(input({ failures: 0 }));
  assert.equal(step.kind === 'planned' && step.commit.unit, undefined);
});

test('a pass that settles the last action counts it in the stats', () => {
  const step = planTarget(input({ failures: 0, result: passed, snap: { ...input().snap, target: { ...EMPTY_TARGET, consecutivePasses: 1 }, unit: { ...EMPTY_UNIT, verifyingAction: 'scale', verifyingSince: T0 - 31_000 } } }));
  assert.ok(step.kind === 'planned');
  assert.deepEqual(step.commit.stats, [['reason:healed', 1], ['scale:healed', 1]]);
});

test('a failure counts as failing now for verification plus cooldown in the unit, for verification in the rule', () => {
  assert.deepEqual(failingUntil(policy, T0), { unit: T0 + 90_000, rule: T0 + 30_000 });
  const step = planTarget(input({ failures: 0 }));
  assert.ok(step.kind === 'planned');
  assert.deepEqual(step.commit.failingUntil, { unit: T0 + 90_000, rule: T0 + 30_000 });
});

test('workloadFailing counts live pods of the workload that fail now, this one included', () => {
  assert.equal(workloadFailing(['p1', 'p2', 'p3'], ['rule:ns:Pod:p2', 'rule:ns:Pod:gone'], 'p1'), 2);
  assert.equal(workloadFailing(['p1'], [], 'p1'), 1);
});

test('an open alert is re-posted at a failure that raises nothing, resolved and cleared by the healed judgement', () => {
  const open = { ...EMPTY_UNIT, alertOpenSince: T0 - 50_000, lastAction: 'alert' as const, lastActionAt: T0 - 50_000 };
  // Inside the cooldown: a skip, and the open alert goes out again.
  const cooling = planTarget(input({ failures: 5, snap: { ...input().snap, unit: open } }));
  assert.ok(cooling.kind === 'planned');
  assert.deepEqual([cooling.verdict.reason, cooling.openAlert], ['cooldown', { kind: 'repost', since: T0 - 50_000 }]);
  // A pass after the verification window that judges the unit healed: resolved, and the record forgets it.
  const verifying = { ...open, verifyingAction: 'alert' as const, verifyingSince: T0 - 40_000 };
  const snap = { ...input().snap, target: { ...EMPTY_TARGET, consecutivePasses: 1, lastResultAt: T0 - 1 }, unit: verifying };
  const healed = planTarget(input({ snap, result: passed }));
  assert.ok(healed.kind === 'planned');
  assert.deepEqual([healed.judged, healed.openAlert, (healed.commit.unit as { alertOpenSince: number }).alertOpenSince], ['healed', { kind: 'resolve', since: T0 - 50_000 }, 0]);
  // No alert open: nothing follows.
  const none = planTarget(input({ failures: 5, snap: { ...input().snap, unit: { ...EMPTY_UNIT, lastActionAt: T0 - 1 } } }));
  assert.ok(none.kind === 'planned' && none.openAlert === undefined);
});
