// A quiet pass is exactly a pass whose full plan changes nothing but the target's pass counters: property-tested
// against planTarget, so the store's one-call path cannot drift from the decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { traitsOf } from '../../shared/actions/catalog.ts';
import { countResult } from '../../shared/healing/decide.ts';
import { isQuietPass, quietPassOf } from '../../shared/healing/quiet-pass.ts';
import { EMPTY_TARGET, EMPTY_UNIT } from '../../shared/healing/state.ts';
import type { TargetState, UnitState } from '../../shared/healing/state.ts';
import { planTarget } from '../../shared/healing/target-plan.ts';

const T0 = 1_700_000_000_000;
const policy = { name: 'web-http', failureThreshold: 3, successThreshold: 2, cooldown: 60_000, verifyWindow: 30_000, actions: ['restart', 'scale', 'alert'] as const };

const targets = fc.record({
  consecutiveFailures: fc.constantFrom(0, 0, 0, 1, 3),
  consecutivePasses: fc.integer({ min: 0, max: 4 }),
  lastResultAt: fc.integer({ min: T0 - 50_000, max: T0 }),
  restarts: fc.integer({ min: 0, max: 3 }),
  version: fc.integer({ min: 0, max: 9 }),
});
const units = fc.record({
  pendingToken: fc.constantFrom('', '', '', 'tok'),
  verifyingAction: fc.constantFrom('' as const, '' as const, '' as const, 'restart' as const),
  verifyingSince: fc.integer({ min: T0 - 60_000, max: T0 }),
  alertOpenSince: fc.constantFrom(0, 0, 0, T0 - 1_000),
  lastActionAt: fc.constantFrom(0, T0 - 70_000),
});
const results = fc.record({
  outcome: fc.constantFrom('passed' as const, 'passed' as const, 'passed' as const, 'failed' as const),
  observedAt: fc.integer({ min: T0 - 10_000, max: T0 + 50 }),
  restarts: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
});

test('a quiet pass plans "passing", leaves the unit as it was, leaves both failing sets and only counts the pass', () => {
  let quiet = 0;
  fc.assert(
    fc.property(targets, units, results, fc.integer({ min: 0, max: 3 }), (t, u, r, othersFailing) => {
      const target: TargetState = { ...EMPTY_TARGET, ...t };
      const unit: UnitState = { ...EMPTY_UNIT, ...u, pendingUntil: u.pendingToken ? T0 + 10_000 : 0 };
      const result = { ...r, eventId: 'e', ...(r.outcome === 'failed' ? { error: 'status 500' } : {}) };
      if (!isQuietPass(target, unit, result)) return;
      quiet++;
      const step = planTarget({
        snap: { target, unit, othersFailing },
        result,
        policy,
        member: 'web-http:shop:Pod:web-a',
        now: T0 + 100,
        alreadyCounted: false,
        budgetRefused: false,
        config: { budgetMax: 5, actionLeaseMs: 30_000 },
        traits: traitsOf,
        token: 'tok',
      });
      assert.equal(step.kind, 'planned');
      if (step.kind !== 'planned') return;
      assert.deepEqual([step.verdict, step.audited, step.judged, step.openAlert, step.commit.unit], [{ kind: 'skip', reason: 'passing' }, false, undefined, undefined, undefined]);
      assert.deepEqual([step.commit.unitFailing, step.commit.ruleFailing, step.commit.dedupeValue, step.commit.quiet, step.commit.budget], ['remove', 'remove', 'done', true, undefined]);
      assert.deepEqual(step.commit.stats, [[`reason:${quietPassOf(result)!.reason}`, 1]]);
      // What the store's script writes: the pass counters and lastResultAt, nothing else.
      assert.deepEqual(step.commit.target, { ...target, consecutivePasses: target.consecutivePasses + 1, totalPasses: target.totalPasses + 1, lastResultAt: result.observedAt });
      assert.deepEqual(countResult(target, result), step.commit.target);
    }),
    { numRuns: 2_000 },
  );
  assert.ok(quiet > 50, `only ${quiet} quiet passes generated`);
});

test('failures are never quiet, nor is a pass that would be stale or that reports a restart', () => {
  const pass = { outcome: 'passed' as const, observedAt: T0 };
  assert.equal(isQuietPass(EMPTY_TARGET, EMPTY_UNIT, pass), true);
  assert.equal(isQuietPass(EMPTY_TARGET, EMPTY_UNIT, { ...pass, outcome: 'failed' }), false);
  assert.equal(isQuietPass({ ...EMPTY_TARGET, lastResultAt: T0 + 1 }, EMPTY_UNIT, pass), false);
  assert.equal(isQuietPass(EMPTY_TARGET, EMPTY_UNIT, { ...pass, restarts: 1 }), false);
  assert.equal(quietPassOf({ ...pass, outcome: 'failed' }), undefined);
  assert.deepEqual(quietPassOf({ ...pass, restarts: 2 }), { observedAt: T0, restarts: 2, reason: 'passing' });
});
