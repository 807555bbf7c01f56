// How an action's outcome is recorded, and how a lease that ran out is resolved: one subtest per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traitsOf } from '../../shared/actions/catalog.ts';
import { leaseExpired, settleExpiredLease, settleProxy, settleTarget } from '../../shared/healing/settle.ts';
import type { LeaseFinding, Settling } from '../../shared/healing/settle.ts';
import { EMPTY_UNIT } from '../../shared/healing/state.ts';

const T0 = 1_700_000_000_000;

const settling = (over: Partial<Settling>): Settling => ({
  action: 'restart',
  reason: 'threshold-reached',
  token: 'tok',
  member: 'web-http:shop:Pod:web-a',
  eventId: 'e-1',
  outcome: { kind: 'performed', detail: 'evicted' },
  done: T0,
  ...over,
});

test('table: how a target action is settled', async (t) => {
  const ladder = { step: 0, length: 3 };
  const rows: Array<[string, Settling, object]> = [
    ['a restart done: verifying, counted, the old pod forgotten', settling({}), { set: { lastAction: 'restart', lastActionAt: T0, verifyingAction: 'restart', verifyingSince: T0 }, incr: [['actionsPerformed', 1]], forget: 'web-http:shop:Pod:web-a', retry: false }],
    ['a scale done: the pod stays in the sets', settling({ action: 'scale' }), { set: { lastAction: 'scale', lastActionAt: T0, verifyingAction: 'scale', verifyingSince: T0 }, incr: [['actionsPerformed', 1]], retry: false }],
    ['deferred by a PodDisruptionBudget: refunded, nothing set', settling({ outcome: { kind: 'deferred', detail: 'pdb' } }), { set: {}, incr: [], refund: 'tok', retry: false }],
    ['failed for good: the cooldown and the next rung', settling({ outcome: { kind: 'failed', transient: false, detail: '403' } }), { set: { lastAction: 'restart', lastActionAt: T0, ladderStep: 1 }, incr: [], refund: 'tok', retry: false }],
    ['declined (an HPA at its maximum): refunded, the cooldown and the next rung', settling({ action: 'scale', outcome: { kind: 'declined', reason: 'hpa-at-max', detail: 'max' } }), { set: { lastAction: 'scale', lastActionAt: T0, ladderStep: 1 }, incr: [], refund: 'tok', retry: false }],
    ['failed for now: refunded and to be retried', settling({ outcome: { kind: 'failed', transient: true, detail: '503' } }), { set: {}, incr: [], refund: 'tok', retry: true }],
    ['an alert that failed is not refunded: it never took the budget', settling({ action: 'alert', outcome: { kind: 'failed', transient: true, detail: 'sink' } }), { set: {}, incr: [], retry: true }],
  ];
  for (const [name, s, expected] of rows) {
    await t.test(name, () => {
      const { token: _t, stats: _s, history: _h, ...rest } = settleTarget(s, ladder, traitsOf);
      assert.deepEqual(rest, expected);
    });
  }
});

test('a deferral is recorded with its own reason', () => {
  const f = settleTarget(settling({ outcome: { kind: 'deferred', detail: 'pdb' } }), { step: 0, length: 2 }, traitsOf);
  assert.equal(f.history.reason, 'disruption-budget');
  assert.deepEqual(f.stats, [['restart:deferred', 1]]);
  const rolling = settleTarget(settling({ outcome: { kind: 'deferred', reason: 'rollout-in-progress', detail: 'rolling' } }), { step: 0, length: 2 }, traitsOf);
  assert.equal(rolling.history.reason, 'rollout-in-progress');
});

test('a decline is recorded with its own reason, and counted as declined', () => {
  const f = settleTarget(settling({ action: 'scale', outcome: { kind: 'declined', reason: 'hpa-owned-by-keda', detail: 'keda' } }), { step: 1, length: 2 }, traitsOf);
  assert.deepEqual([f.history.reason, f.history.decision], ['hpa-owned-by-keda', 'declined']);
  assert.deepEqual(f.stats, [['scale:declined', 1]]);
});

test('a proxy group takes its new status only once the action is done; its alert is open from AllFailed until a switch', () => {
  const done = settleProxy(settling({ action: 'switch-proxy', reason: 'primary-failed' }), { status: 'SecondaryActive', active: 'secondary' }, traitsOf);
  assert.deepEqual([done.set, done.incr, done.refund], [{ status: 'SecondaryActive', active: 'secondary', lastSwitchAt: T0, alertOpenSince: 0 }, [['switches', 1]], undefined]);
  const failed = settleProxy(settling({ action: 'switch-proxy', outcome: { kind: 'failed', transient: true, detail: '503' } }), { status: 'SecondaryActive', active: 'secondary' }, traitsOf);
  assert.deepEqual([failed.set, failed.incr, failed.refund, failed.retry], [{}, [], 'tok', true]);
  const alerted = settleProxy(settling({ action: 'alert', reason: 'all-proxies-failed' }), { status: 'AllFailed' }, traitsOf);
  assert.deepEqual([alerted.set, alerted.incr, alerted.history.action], [{ status: 'AllFailed', alertOpenSince: T0 }, [], undefined]);
});

test('a lease has run out once its time is over, and only while a token holds it', () => {
  const held = { pendingToken: 'tok', pendingUntil: T0 };
  assert.deepEqual([leaseExpired(held, T0 - 1), leaseExpired(held, T0), leaseExpired({ ...held, pendingToken: '' }, T0 + 1)], [false, true, false]);
});

test('table: a lease that ran out, as the cluster shows its action', async (t) => {
  const unit = { ...EMPTY_UNIT, pendingAction: 'restart' as const, pendingToken: 'tok', pendingUntil: T0 + 10_000, pendingSince: T0, pendingTarget: 'web-a', pendingUid: 'u-1' };
  const ctx = { member: (pod: string) => `web-http:shop:Pod:${pod}`, eventId: 'e-9', now: T0 + 20_000 };
  const rows: Array<[string, typeof unit, LeaseFinding, object]> = [
    ['done: counted from when it was committed, the pod forgotten', unit, { done: true, detail: 'gone' },
      { set: { lastAction: 'restart', lastActionAt: T0, verifyingAction: 'restart', verifyingSince: T0 }, incr: [['actionsPerformed', 1]], forget: 'web-http:shop:Pod:web-a', decision: 'performed' }],
    ['not done: the budget given back, nothing set', unit, { done: false, detail: 'running' }, { set: {}, incr: [], refund: 'tok', decision: 'not-performed' }],
    ['cannot tell: counted, so it is not repeated inside the cooldown', { ...unit, pendingAction: 'scale' as never }, { done: undefined, detail: '?' },
      { set: { lastAction: 'scale', lastActionAt: T0, verifyingAction: 'scale', verifyingSince: T0 }, incr: [['actionsPerformed', 1]], decision: 'unknown' }],
  ];
  for (const [name, u, finding, expected] of rows) {
    await t.test(name, () => {
      const f = settleExpiredLease(u, finding, ctx, traitsOf);
      assert.equal(f.token, 'tok');
      assert.equal(f.settleEvent, false, 'the event at hand is not settled by it');
      assert.equal(f.history.reason, 'lease-expired');
      const { set, incr, refund, forget } = f;
      assert.deepEqual({ set, incr, ...(refund ? { refund } : {}), ...(forget ? { forget } : {}), decision: f.history.decision }, expected);
    });
  }
});

test('a performed alert records that an alert is open (alertOpenSince); a failed one does not', () => {
  const done = T0 + 5;
  const raised = settleTarget(settling({ action: 'alert', outcome: { kind: 'performed', detail: 'sent' }, done }), { step: 2, length: 3 }, traitsOf);
  assert.equal((raised.set as { alertOpenSince?: number }).alertOpenSince, done);
  const failed = settleTarget(settling({ action: 'alert', outcome: { kind: 'failed', transient: true, detail: '503' }, done }), { step: 2, length: 3 }, traitsOf);
  assert.equal((failed.set as { alertOpenSince?: number }).alertOpenSince, undefined);
  const restart = settleTarget(settling({ action: 'restart', outcome: { kind: 'performed', detail: 'ok' }, done }), { step: 0, length: 3 }, traitsOf);
  assert.equal((restart.set as { alertOpenSince?: number }).alertOpenSince, undefined);
});
