// The history store against a real Redis: one read, an atomic compare-and-set commit, and the lease-guarded finalize.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EMPTY_TARGET, EMPTY_UNIT } from '../../shared/healing/state.ts';
import { HistoryStore } from '../../shared/store/history-store.ts';
import type { CommitRequest, FinalizeRequest, Where } from '../../shared/store/history-store.ts';
import { useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';

const T0 = 1_700_000_000_000;
const LIMITS = { historyMaxLen: 100, globalMaxLen: 1_000, targetTtlMs: 3_600_000, dedupeTtlMs: 3_600_000 };
let redis: TestRedis;
let client: Redis;

before(async () => {
  redis = await useRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});
after(async () => {
  client.disconnect();
  await redis.close();
});

function fresh(): { store: HistoryStore; where: (id?: string, pod?: string) => Where } {
  const store = new HistoryStore(client, `${redis.prefix}-${randomUUID().slice(0, 8)}`, LIMITS);
  const where = (id: string = randomUUID(), pod = 'web-a'): Where => ({
    rule: 'web-http',
    target: { namespace: 'shop', kind: 'Pod', name: pod, workload: { kind: 'Deployment', name: 'web' } },
    unit: { namespace: 'shop', kind: 'Deployment', name: 'web' },
    dedupe: { source: '/selfheal/check-pods/web-http', id },
    budgetNamespace: 'shop',
    budgetWindowMs: 60_000,
  });
  return { store, where };
}

const commit = (over: Partial<CommitRequest> = {}): CommitRequest => ({
  expectTarget: 0,
  expectUnit: 0,
  target: { ...EMPTY_TARGET, consecutiveFailures: 1, lastResultAt: T0 },
  unitFailing: 'add',
  ruleFailing: 'keep',
  dedupeValue: 'done',
  stats: [['reason:below-threshold', 1]],
  history: { at: new Date(T0).toISOString(), outcome: 'failed', reason: 'below-threshold' },
  now: T0,
  ...over,
});

const finalize = (over: Partial<FinalizeRequest> = {}): FinalizeRequest => ({
  token: 'tok',
  set: { lastAction: 'restart', lastActionAt: T0 },
  incr: [['actionsPerformed', 1]],
  retry: false,
  stats: [['restart:performed', 1]],
  history: { at: new Date(T0).toISOString(), decision: 'performed' },
  ...over,
});

test('an empty store reads as empty records', async () => {
  const { store, where } = fresh();
  const snap = await store.load(where(), EMPTY_UNIT, [], T0);
  assert.deepEqual(snap, { target: EMPTY_TARGET, unit: EMPTY_UNIT, dedupe: undefined, unitFailing: {}, budgetUsed: 0, failingDependencies: [] });
});

test('a commit writes the target, marks it failing and settles the event; the same event again is a duplicate', async () => {
  const { store, where } = fresh();
  const w = where();
  assert.equal(await store.commit(w, commit()), 'ok');
  const snap = await store.load(w, EMPTY_UNIT, [], T0);
  assert.deepEqual([snap.target.version, snap.target.consecutiveFailures, snap.dedupe], [1, 1, 'done']);
  assert.deepEqual(Object.keys(snap.unitFailing), ['web-http:shop:Pod:web-a']);
  assert.equal(await store.commit(w, commit({ expectTarget: 1 })), 'duplicate');
});

test('a commit on versions that moved on is a conflict and writes nothing', async () => {
  const { store, where } = fresh();
  assert.equal(await store.commit(where(), commit()), 'ok');
  const w = where();
  assert.equal(await store.commit(w, commit({ expectTarget: 0 })), 'conflict');
  const snap = await store.load(w, EMPTY_UNIT, [], T0);
  assert.deepEqual([snap.target.version, snap.dedupe], [1, undefined]);
});

test('the budget takes members up to its maximum within the window, then refuses without writing', async () => {
  const { store, where } = fresh();
  const budgeted = (member: string, expectTarget: number) => commit({ expectTarget, budget: { member, max: 2 }, dedupeValue: `pending:${member}` });
  assert.equal(await store.commit(where(), budgeted('a', 0)), 'ok');
  assert.equal(await store.commit(where(), budgeted('b', 1)), 'ok');
  const w = where();
  assert.equal(await store.commit(w, budgeted('c', 2)), 'budget');
  const snap = await store.load(w, EMPTY_UNIT, [], T0);
  assert.deepEqual([snap.budgetUsed, snap.target.version, snap.dedupe], [2, 2, undefined]);
  // Past the window the members no longer count.
  assert.equal((await store.load(w, EMPTY_UNIT, [], T0 + 60_001)).budgetUsed, 0);
});

test('finalize applies its fields only under the lease it was given, and always settles the event', async () => {
  const { store, where } = fresh();
  const w = where();
  const unit = { ...EMPTY_UNIT, pendingAction: 'restart' as const, pendingToken: 'tok', pendingUntil: T0 + 30_000 };
  assert.equal(await store.commit(w, commit({ unit, dedupeValue: 'pending:tok' })), 'ok');
  assert.deepEqual((await store.load(w, EMPTY_UNIT, [], T0)).dedupe, { pending: 'tok' });
  assert.equal(await store.finalize(w, finalize({ token: 'someone-else' })), 'lease-lost');
  let snap = await store.load(w, EMPTY_UNIT, [], T0);
  assert.deepEqual([snap.unit.lastAction, snap.unit.pendingToken, snap.dedupe], ['', 'tok', 'done']);
  assert.equal(await store.finalize(w, finalize()), 'ok');
  snap = await store.load(w, EMPTY_UNIT, [], T0);
  assert.deepEqual([snap.unit.lastAction, snap.unit.actionsPerformed, snap.unit.pendingToken, snap.unit.version], ['restart', 1, '', 2]);
});

test('finalize refunds the budget, forgets a replaced pod, and marks a transient failure for redelivery', async () => {
  const { store, where } = fresh();
  const w = where();
  assert.equal(await store.commit(w, commit({ ruleFailing: 'add', budget: { member: 'tok', max: 5 }, dedupeValue: 'pending:tok' })), 'ok');
  assert.equal((await store.load(w, EMPTY_UNIT, [], T0)).budgetUsed, 1);
  await store.finalize(w, finalize({ set: {}, incr: [], refund: 'tok', forget: 'web-http:shop:Pod:web-a', retry: true }));
  const snap = await store.load(w, EMPTY_UNIT, [{ rule: 'web-http', freshMs: 60_000 }], T0);
  assert.deepEqual([snap.budgetUsed, snap.unitFailing, snap.failingDependencies, snap.dedupe], [0, {}, [], 'retry']);
});

test('a dependency counts as failing only while one of its targets failed within its freshness', async () => {
  const { store } = fresh();
  const deps = { rule: 'shop-deps', target: { namespace: 'shop', kind: 'Service' as const, name: 'db' }, unit: { namespace: 'shop', kind: 'Service', name: 'db' } };
  const w: Where = { ...deps, dedupe: { source: 's', id: randomUUID() }, budgetNamespace: 'shop', budgetWindowMs: 60_000 };
  assert.equal(await store.commit(w, commit({ ruleFailing: 'add' })), 'ok');
  const reader: Where = { ...w, rule: 'web-http', dedupe: { source: 's', id: randomUUID() } };
  assert.deepEqual((await store.load(reader, EMPTY_UNIT, [{ rule: 'shop-deps', freshMs: 10_000 }], T0 + 10_000)).failingDependencies, ['shop-deps']);
  assert.deepEqual((await store.load(reader, EMPTY_UNIT, [{ rule: 'shop-deps', freshMs: 10_000 }], T0 + 10_001)).failingDependencies, []);
});
