import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide } from '../../shared/healing/decide.ts';
import type { DecideInput, HealingPolicy } from '../../shared/healing/decide.ts';
import { EMPTY_TARGET, EMPTY_UNIT } from '../../shared/healing/state.ts';
import type { TargetState, UnitState } from '../../shared/healing/state.ts';

const policy: HealingPolicy = { failureThreshold: 3, successThreshold: 2, cooldown: 60_000, verifyWindow: 30_000, actions: ['restart', 'scale', 'alert'] };
const T0 = 1_700_000_000_000;
const fail = (at: number) => ({ outcome: 'failed' as const, observedAt: at, error: 'boom' });
const pass = (at: number) => ({ outcome: 'passed' as const, observedAt: at });
const target = (over: Partial<TargetState> = {}): TargetState => ({ ...EMPTY_TARGET, ...over });
const unit = (over: Partial<UnitState> = {}): UnitState => ({ ...EMPTY_UNIT, ...over });

test('table: given state and result, the verdict and its reason', async (t) => {
  const rows: Array<[string, DecideInput, string]> = [
    ['first failure', { target: target(), unit: unit(), result: fail(T0), policy, now: T0 }, 'skip below-threshold'],
    ['second failure', { target: target({ consecutiveFailures: 1, lastResultAt: T0 }), unit: unit(), result: fail(T0 + 1), policy, now: T0 }, 'skip below-threshold'],
    ['third failure reaches the threshold', { target: target({ consecutiveFailures: 2 }), unit: unit(), result: fail(T0), policy, now: T0 }, 'act restart threshold-reached'],
    ['a pass', { target: target({ consecutiveFailures: 2 }), unit: unit(), result: pass(T0), policy, now: T0 }, 'skip passing'],
    ['older than the newest result', { target: target({ consecutiveFailures: 2, lastResultAt: T0 }), unit: unit(), result: fail(T0 - 1), policy, now: T0 }, 'skip stale-result'],
    ['inside the cooldown', { target: target({ consecutiveFailures: 5 }), unit: unit({ lastActionAt: T0 - 59_000, lastAction: 'restart' }), result: fail(T0), policy, now: T0 }, 'skip cooldown'],
    ['an action is in progress', { target: target({ consecutiveFailures: 5 }), unit: unit({ pendingAction: 'restart', pendingUntil: T0 + 1 }), result: fail(T0), policy, now: T0 }, 'skip action-in-progress'],
    ['an expired lease does not block', { target: target({ consecutiveFailures: 5 }), unit: unit({ pendingAction: 'restart', pendingUntil: T0 - 1 }), result: fail(T0), policy, now: T0 }, 'act restart threshold-reached'],
    ['verification window still open', { target: target({ consecutiveFailures: 5 }), unit: unit({ lastActionAt: T0 - 70_000, verifyingAction: 'restart', verifyingSince: T0 - 20_000 }), result: fail(T0), policy, now: T0 }, 'skip verifying'],
    ['still failing after the window: next rung', { target: target({ consecutiveFailures: 5 }), unit: unit({ lastActionAt: T0 - 70_000, verifyingAction: 'restart', verifyingSince: T0 - 70_000 }), result: fail(T0), policy, now: T0 }, 'act scale escalated'],
    ['last rung repeats', { target: target({ consecutiveFailures: 9 }), unit: unit({ ladderStep: 2, lastActionAt: T0 - 70_000, verifyingAction: 'alert', verifyingSince: T0 - 70_000 }), result: fail(T0), policy, now: T0 }, 'act alert escalated'],
    ['passes after the window settle it healed', { target: target({ consecutivePasses: 1 }), unit: unit({ ladderStep: 1, verifyingAction: 'scale', verifyingSince: T0 - 31_000 }), result: pass(T0), policy, now: T0 }, 'skip healed'],
    ['passes inside the window do not settle it', { target: target({ consecutivePasses: 5 }), unit: unit({ verifyingAction: 'restart', verifyingSince: T0 - 1_000 }), result: pass(T0), policy, now: T0 }, 'skip passing'],
    ['another target of the unit failing now forbids "healed"', { target: target({ consecutivePasses: 5 }), unit: unit({ verifyingAction: 'restart', verifyingSince: T0 - 31_000 }), result: pass(T0), policy, now: T0, othersFailing: 1 }, 'skip passing'],
    ['a failure probed before the action does not escalate it', { target: target({ consecutiveFailures: 5 }), unit: unit({ lastActionAt: T0 - 70_000, verifyingAction: 'restart', verifyingSince: T0 - 70_000 }), result: fail(T0 - 71_000), policy, now: T0 }, 'skip verifying'],
  ];
  for (const [name, input, expected] of rows) {
    await t.test(name, () => {
      const { verdict } = decide(input);
      assert.equal(verdict.kind === 'act' ? `act ${verdict.action} ${verdict.reason}` : `skip ${verdict.reason}`, expected);
    });
  }
});

test('a pass resets the failure count; a failure resets the pass count', () => {
  const afterPass = decide({ target: target({ consecutiveFailures: 2 }), unit: unit(), result: pass(T0), policy, now: T0 });
  assert.equal(afterPass.target.consecutiveFailures, 0);
  assert.equal(afterPass.target.consecutivePasses, 1);
  const afterFail = decide({ target: afterPass.target, unit: afterPass.unit, result: fail(T0 + 1), policy, now: T0 + 1 });
  assert.equal(afterFail.target.consecutivePasses, 0);
  assert.equal(afterFail.target.consecutiveFailures, 1);
  assert.equal(afterFail.target.lastError, 'boom');
});

test('healed resets the ladder and counts the success; not-healed counts the failure and climbs', () => {
  const healed = decide({ target: target({ consecutivePasses: 1 }), unit: unit({ ladderStep: 1, verifyingAction: 'scale', verifyingSince: T0 - 31_000, actionsPerformed: 2 }), result: pass(T0), policy, now: T0 });
  assert.equal(healed.judged, 'healed');
  assert.equal(healed.unit.ladderStep, 0);
  assert.equal(healed.unit.actionsHealed, 1);
  assert.equal(healed.unit.verifyingAction, '');
  const notHealed = decide({ target: target({ consecutiveFailures: 3 }), unit: unit({ lastActionAt: T0 - 61_000, verifyingAction: 'restart', verifyingSince: T0 - 61_000 }), result: fail(T0), policy, now: T0 });
  assert.equal(notHealed.judged, 'not-healed');
  assert.equal(notHealed.unit.actionsNotHealed, 1);
  assert.equal(notHealed.unit.ladderStep, 1);
});

test('a result counted once before (its action failed transiently) is not counted again', () => {
  const t = target({ consecutiveFailures: 3, lastResultAt: T0 });
  const again = decide({ target: t, unit: unit(), result: fail(T0), policy, now: T0 + 10, alreadyCounted: true });
  assert.equal(again.target.consecutiveFailures, 3);
  assert.equal(again.verdict.kind, 'act');
});

// Property tests: random histories of results and clock steps, checked against the invariants.
const step = fc.record({ outcome: fc.constantFrom('passed' as const, 'failed' as const), dt: fc.integer({ min: -5_000, max: 40_000 }), actionTaken: fc.boolean() });
const policies = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 5 }),
  successThreshold: fc.integer({ min: 1, max: 4 }),
  cooldown: fc.integer({ min: 0, max: 120_000 }),
  verifyWindow: fc.integer({ min: 0, max: 90_000 }),
  actions: fc.constantFrom(['restart'] as const, ['restart', 'scale', 'alert'] as const, ['scale', 'alert'] as const),
});

test('invariants hold over random histories', () => {
  fc.assert(
    fc.property(policies, fc.array(step, { minLength: 1, maxLength: 60 }), (p, steps) => {
      let t = target();
      let u = unit();
      let now = T0;
      for (const s of steps) {
        now += Math.max(0, s.dt);
        const observedAt = now + Math.min(0, s.dt);
        const before = { t, u };
        const d = decide({ target: t, unit: u, result: { outcome: s.outcome, observedAt }, policy: p, now });
        if (observedAt < before.t.lastResultAt) {
          // a stale result changes nothing
          assert.deepEqual(d.target, before.t);
          assert.deepEqual(d.unit, before.u);
          assert.equal(d.verdict.kind, 'skip');
        }
        if (d.verdict.kind === 'act') {
          assert.ok(d.target.consecutiveFailures >= p.failureThreshold, 'never acts below the threshold');
          assert.ok(before.u.lastActionAt === 0 || now >= before.u.lastActionAt + p.cooldown, 'never acts inside the cooldown');
          assert.ok((p.actions as readonly string[]).includes(d.verdict.action), 'acts only with an action of the ladder');
          assert.equal(s.outcome, 'failed', 'never acts on a pass');
        }
        assert.ok(d.unit.ladderStep < p.actions.length, 'the ladder index stays on the ladder');
        t = d.target;
        u = d.unit;
        if (d.verdict.kind === 'act' && s.actionTaken) {
          u = { ...u, lastAction: d.verdict.action, lastActionAt: now, verifyingAction: d.verdict.action, verifyingSince: now, actionsPerformed: u.actionsPerformed + 1 };
        }
        assert.ok(u.actionsHealed + u.actionsNotHealed <= u.actionsPerformed, 'every judged action was performed');
      }
    }),
    { numRuns: 500 },
  );
});
