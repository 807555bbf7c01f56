import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACTIONS, traitsOf } from '../../shared/actions/catalog.ts';
import { guard } from '../../shared/healing/guard.ts';
import type { GuardFacts } from '../../shared/healing/guard.ts';
import type { Verdict } from '../../shared/healing/decide.ts';

const ok: GuardFacts = { namespaceAllowed: true, target: 'ok', maxRestartShare: 0.5, budgetUsed: 0, budgetMax: 5, dryRun: false };
const pause = { scope: 'namespace' as const, id: 'shop', by: 'ops', reason: 'node upgrade', until: Date.UTC(2026, 0, 1) };
const restart: Verdict = { kind: 'act', action: 'restart', reason: 'threshold-reached' };
const show = (g: ReturnType<typeof guard>) => (g.verdict.kind === 'act' ? `act ${g.verdict.action} ${g.verdict.reason}` : `skip ${g.verdict.reason}${g.intended ? ` (${g.intended})` : ''}`);

test('table: each guard and the reason it gives', async (t) => {
  const rows: Array<[string, Verdict, GuardFacts, string]> = [
    ['all clear', restart, ok, 'act restart threshold-reached'],
    ['namespace outside the allow-list', restart, { ...ok, namespaceAllowed: false }, 'skip namespace-not-allowed (restart)'],
    ['pod without the opt-in label', restart, { ...ok, target: 'not-opted-in' }, 'skip not-opted-in (restart)'],
    ['pod outside the rule', restart, { ...ok, target: 'not-in-rule' }, 'skip target-not-in-rule (restart)'],
    ['pod gone', restart, { ...ok, target: 'gone' }, 'skip target-gone (restart)'],
    ['a dependency fails: alert instead', restart, { ...ok, failingDependency: 'deps' }, 'act alert dependency-failing'],
    ['most of the workload fails: alert instead', restart, { ...ok, workloadPods: 4, workloadFailing: 3 }, 'act alert shared-cause'],
    ['most of the workload fails, the rule says rollout-restart: the rollout instead', restart, { ...ok, workloadPods: 4, workloadFailing: 3, sharedCause: 'rollout-restart' }, 'act rollout-restart shared-cause'],
    ['the rollout instead uses the budget', restart, { ...ok, workloadPods: 4, workloadFailing: 3, sharedCause: 'rollout-restart', budgetUsed: 5 }, 'skip budget-exhausted (rollout-restart)'],
    ['the rollout instead is cancelled by a probe that passes now', restart, { ...ok, workloadPods: 4, workloadFailing: 3, sharedCause: 'rollout-restart', confirmed: 'passed' }, 'skip confirmed-healthy (rollout-restart)'],
    ['the rule\'s choice changes nothing without a shared cause', restart, { ...ok, workloadPods: 4, workloadFailing: 1, sharedCause: 'rollout-restart' }, 'act restart threshold-reached'],
    ['a failing dependency still wins over the rule\'s choice', restart, { ...ok, failingDependency: 'deps', workloadPods: 4, workloadFailing: 3, sharedCause: 'rollout-restart' }, 'act alert dependency-failing'],
    ['half of the workload may be restarted', restart, { ...ok, workloadPods: 4, workloadFailing: 2 }, 'act restart threshold-reached'],
    ['a one-pod workload may be restarted', restart, { ...ok, workloadPods: 1, workloadFailing: 1 }, 'act restart threshold-reached'],
    ['budget used up', restart, { ...ok, budgetUsed: 5 }, 'skip budget-exhausted (restart)'],
    ['alerts do not use the budget', { kind: 'act', action: 'alert', reason: 'escalated' }, { ...ok, budgetUsed: 5 }, 'act alert escalated'],
    ['scale uses the budget', { kind: 'act', action: 'scale', reason: 'escalated' }, { ...ok, budgetUsed: 9 }, 'skip budget-exhausted (scale)'],
    ['dry run decides but does not act', restart, { ...ok, dryRun: true }, 'skip dry-run (restart)'],
    ['dry run says what it would have done after conversions', restart, { ...ok, dryRun: true, failingDependency: 'deps' }, 'skip dry-run (alert)'],
    ['a paused namespace: nothing done', restart, { ...ok, paused: pause }, 'skip paused (restart)'],
    ['a pause holds an alert instead too', restart, { ...ok, paused: pause, failingDependency: 'deps' }, 'skip paused (restart)'],
    ['a pause outranks dry run', restart, { ...ok, paused: pause, dryRun: true }, 'skip paused (restart)'],
    ['the allow-list is told before a pause', restart, { ...ok, paused: pause, namespaceAllowed: false }, 'skip namespace-not-allowed (restart)'],
    ['a skip passes through', { kind: 'skip', reason: 'cooldown' }, { ...ok, namespaceAllowed: false }, 'skip cooldown'],
  ];
  for (const [name, verdict, facts, expected] of rows) {
    await t.test(name, () => assert.equal(show(guard(verdict, facts, traitsOf)), expected));
  }
});

test('a pause gives its reason in the detail', () => {
  const g = guard(restart, { ...ok, paused: pause }, traitsOf);
  assert.equal(g.detail, 'namespace shop paused by ops until 2026-01-01T00:00:00.000Z: node upgrade');
});

test('property: never acts over budget, outside the allow-list, on a pod not opted in, or in dry run', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ACTIONS),
      fc.record({
        namespaceAllowed: fc.boolean(),
        target: fc.constantFrom('ok' as const, 'gone' as const, 'not-in-rule' as const, 'not-opted-in' as const),
        maxRestartShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
        budgetUsed: fc.integer({ min: 0, max: 10 }),
        budgetMax: fc.integer({ min: 0, max: 10 }),
        dryRun: fc.boolean(),
        workloadPods: fc.integer({ min: 1, max: 10 }),
        workloadFailing: fc.integer({ min: 0, max: 10 }),
      }),
      (action, facts) => {
        const g = guard({ kind: 'act', action, reason: 'threshold-reached' }, facts, traitsOf);
        if (g.verdict.kind !== 'act') return;
        assert.ok(facts.namespaceAllowed && facts.target === 'ok' && !facts.dryRun);
        if (g.verdict.action !== 'alert') assert.ok(facts.budgetUsed < facts.budgetMax);
        if (g.verdict.action === 'restart') assert.ok(facts.workloadFailing <= Math.max(1, Math.floor(facts.workloadPods * facts.maxRestartShare)));
      },
    ),
    { numRuns: 1000 },
  );
});
