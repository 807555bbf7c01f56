// The history store against a real Redis: one read, an atomic compare-and-set commit, the lease-guarded finalize,
// and the one-call pass.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EMPTY_TARGET, EMPTY_UNIT } from '../../shared/healing/state.ts';
import { isQuietPass } from '../../shared/healing/quiet-pass.ts';
import { HistoryStore } from '../../shared/store/history-store.ts';
import type { CommitRequest, FinalizeRequest, Where } from '../../shared/store/history-store.ts';
import { startPrivateRedis, useRedis } from '../support/redis.ts';
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

const NO_QUERY = { dependencies: [], among: [] };

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
  const snap = await store.load(where(), EMPTY_UNIT, undefined, T0);
  assert.deepEqual(snap, { target: EMPTY_TARGET, unit: EMPTY_UNIT, dedupe: undefined, othersFailing: 0 });
  const guarded = await store.load(where(), EMPTY_UNIT, { dependencies: ['shop-deps'], among: ['web-http:shop:Pod:web-a'] }, T0);
  assert.deepEqual(guarded.guards, { budgetUsed: 0, failingDependencies: [], failingAmong: [] });
});

test('a commit writes the target, marks it failing and settles the event; the same event again is a duplicate', async () => {
  const { store, where } = fresh();
  const w = where();
  assert.equal(await store.commit(w, commit()), 'ok');
  const snap = await store.load(w, EMPTY_UNIT, undefined, T0);
  assert.deepEqual([snap.target.version, snap.target.consecutiveFailures, snap.dedupe, snap.othersFailing], [1, 1, 'done', 0]);
  const other = await store.load(where(undefined, 'web-b'), EMPTY_UNIT, { dependencies: [], among: ['web-http:shop:Pod:web-a', 'web-http:shop:Pod:web-b'] }, T0);
  assert.deepEqual([other.othersFailing, other.guards?.failingAmong], [1, ['web-http:shop:Pod:web-a']]);
  assert.equal(await store.commit(w, commit({ expectTarget: 1 })), 'duplicate');
});

test('a commit on versions that moved on is a conflict and writes nothing', async () => {
  const { store, where } = fresh();
  assert.equal(await store.commit(where(), commit()), 'ok');
  const w = where();
  assert.equal(await store.commit(w, commit({ expectTarget: 0 })), 'conflict');
  const snap = await store.load(w, EMPTY_UNIT, undefined, T0);
  assert.deepEqual([snap.target.version, snap.dedupe], [1, undefined]);
});

test('the budget takes members up to its maximum within the window, then refuses without writing', async () => {
  const { store, where } = fresh();
  const budgeted = (member: string, expectTarget: number) => commit({ expectTarget, budget: { member, max: 2 }, dedupeValue: `pending:${member}` });
  assert.equal(await store.commit(where(), budgeted('a', 0)), 'ok');
  assert.equal(await store.commit(where(), budgeted('b', 1)), 'ok');
  const w = where();
  assert.equal(await store.commit(w, budgeted('c', 2)), 'budget');
  const snap = await store.load(w, EMPTY_UNIT, NO_QUERY, T0);
  assert.deepEqual([snap.guards?.budgetUsed, snap.target.version, snap.dedupe], [2, 2, undefined]);
  // Past the window the members no longer count.
  assert.equal((await store.load(w, EMPTY_UNIT, NO_QUERY, T0 + 60_001)).guards?.budgetUsed, 0);
});

test('finalize applies its fields only under the lease it was given, and always settles the event', async () => {
  const { store, where } = fresh();
  const w = where();
  const unit = { ...EMPTY_UNIT, pendingAction: 'restart' as const, pendingToken: 'tok', pendingUntil: T0 + 30_000 };
  assert.equal(await store.commit(w, commit({ unit, dedupeValue: 'pending:tok' })), 'ok');
  assert.deepEqual((await store.load(w, EMPTY_UNIT, undefined, T0)).dedupe, { pending: 'tok' });
  assert.equal(await store.finalize(w, finalize({ token: 'someone-else' })), 'lease-lost');
  let snap = await store.load(w, EMPTY_UNIT, undefined, T0);
  assert.deepEqual([snap.unit.lastAction, snap.unit.pendingToken, snap.dedupe], ['', 'tok', 'done']);
  assert.equal(await store.finalize(w, finalize()), 'ok');
  snap = await store.load(w, EMPTY_UNIT, undefined, T0);
  assert.deepEqual([snap.unit.lastAction, snap.unit.actionsPerformed, snap.unit.pendingToken, snap.unit.version], ['restart', 1, '', 2]);
});

test('finalize refunds the budget, forgets a replaced pod, and marks a transient failure for redelivery', async () => {
  const { store, where } = fresh();
  const w = where();
  assert.equal(await store.commit(w, commit({ ruleFailing: 'add', budget: { member: 'tok', max: 5 }, dedupeValue: 'pending:tok' })), 'ok');
  const member = 'web-http:shop:Pod:web-a';
  const query = { dependencies: ['web-http'], among: [member] };
  const before = await store.load(w, EMPTY_UNIT, query, T0);
  assert.deepEqual(before.guards, { budgetUsed: 1, failingDependencies: ['web-http'], failingAmong: [member] });
  await store.finalize(w, finalize({ set: {}, incr: [], refund: 'tok', forget: member, retry: true }));
  const snap = await store.load(w, EMPTY_UNIT, query, T0);
  assert.deepEqual([snap.guards, snap.dedupe], [{ budgetUsed: 0, failingDependencies: [], failingAmong: [] }, 'retry']);
});

test('a dependency counts as failing only while one of its targets failed within its freshness', async () => {
  const { store } = fresh();
  const deps = { rule: 'shop-deps', target: { namespace: 'shop', kind: 'Service' as const, name: 'db' }, unit: { namespace: 'shop', kind: 'Service', name: 'db' } };
  const w: Where = { ...deps, dedupe: { source: 's', id: randomUUID() }, budgetNamespace: 'shop', budgetWindowMs: 60_000 };
  assert.equal(await store.commit(w, commit({ ruleFailing: 'add', failingUntil: { unit: T0 + 20_000, rule: T0 + 10_000 } })), 'ok');
  const reader: Where = { ...w, rule: 'web-http', dedupe: { source: 's', id: randomUUID() } };
  const query = { dependencies: ['shop-deps'], among: [] };
  assert.deepEqual((await store.load(reader, EMPTY_UNIT, query, T0 + 10_000)).guards?.failingDependencies, ['shop-deps']);
  assert.deepEqual((await store.load(reader, EMPTY_UNIT, query, T0 + 10_001)).guards?.failingDependencies, []);
});

test('a failing set drops the entries that ran out at the next mark, and its key expires with its newest entry', async () => {
  const { store, where } = fresh();
  const a = where(undefined, 'web-a');
  assert.equal(await store.commit(a, commit({ ruleFailing: 'add', failingUntil: { unit: T0 + 1_000, rule: T0 + 1_000 } })), 'ok');
  const b = where(undefined, 'web-b');
  const later = T0 + 2_000;
  assert.equal(await store.commit(b, commit({ ruleFailing: 'add', now: later, failingUntil: { unit: later + 5_000, rule: later + 5_000 } })), 'ok');
  const unitKey = store.keys.unitFailing('web-http', { namespace: 'shop', kind: 'Deployment', name: 'web' });
  const ruleKey = store.keys.ruleFailing('web-http');
  assert.deepEqual(await client.zrange(unitKey, '0', '-1'), ['web-http:shop:Pod:web-b']);
  assert.deepEqual(await client.zrange(ruleKey, '0', '-1'), ['web-http:shop:Pod:web-b']);
  const ttl = await client.pttl(unitKey);
  assert.ok(ttl > 0 && ttl <= 5_000, `ttl ${ttl}`);
});

test('a pending marker lives as long as its lease even when the dedupe window is shorter; settled, the window counts from then', async () => {
  const store = new HistoryStore(client, `${redis.prefix}-${randomUUID().slice(0, 8)}`, { ...LIMITS, dedupeTtlMs: 1_000 });
  const w: Where = { ...fresh().where(), rule: 'web-http' };
  const unit = { ...EMPTY_UNIT, pendingAction: 'restart' as const, pendingToken: 'tok', pendingUntil: T0 + 60_000 };
  assert.equal(await store.commit(w, commit({ unit, dedupeValue: 'pending:tok' })), 'ok');
  const key = store.keys.dedupe(w.dedupe.source, w.dedupe.id);
  const pending = await client.pttl(key);
  assert.ok(pending > 60_000, `a pending marker must outlive its lease (60 s), it has ${pending} ms`);
  assert.equal(await store.finalize(w, finalize()), 'ok');
  const settled = await client.pttl(key);
  assert.ok(settled > 0 && settled <= 1_000, `settled marker ttl ${settled}`);
});

test('a quiet pass is counted on the target record: no stream entry, the unit untouched, the event settled', async () => {
  const { store, where } = fresh();
  const first = where();
  let last = first;
  for (let i = 1; i <= 100; i++) {
    last = i === 1 ? first : where();
    const answer = await store.pass(last, { observedAt: T0 + i, restarts: 0, reason: 'passing' }, EMPTY_UNIT, T0 + i);
    assert.equal(answer.kind, 'counted');
  }
  // The last one again (a Trigger's retry) is a duplicate, remembered by the target record; an earlier one again is
  // older than the newest applied, so the decision reads what it needs (and finds it stale).
  assert.deepEqual(await store.pass(last, { observedAt: T0 + 100, restarts: 0, reason: 'passing' }, EMPTY_UNIT, T0 + 200), { kind: 'duplicate' });
  assert.equal((await store.pass(first, { observedAt: T0 + 1, restarts: 0, reason: 'passing' }, EMPTY_UNIT, T0 + 200)).kind, 'full');
  assert.deepEqual(await client.keys(`${store.keys.prefix}:dedupe:*`), [], 'quiet passes keep no dedupe key');
  const snap = await store.load(where(), EMPTY_UNIT, undefined, T0 + 200);
  assert.deepEqual(
    [snap.target.consecutivePasses, snap.target.totalPasses, snap.target.version, snap.target.lastResultAt, snap.unit],
    [100, 100, 100, T0 + 100, EMPTY_UNIT],
  );
  const target = { namespace: 'shop', kind: 'Pod', name: 'web-a' } as const;
  assert.equal(await client.exists(store.keys.history('web-http', target), store.keys.events, store.keys.unit('web-http', { namespace: 'shop', kind: 'Deployment', name: 'web' })), 0);
  assert.equal(await client.hget(store.keys.stats('web-http'), 'reason:passing'), '100');
  assert.equal(await client.zscore(store.keys.index, 'web-http:shop:Pod:web-a'), String(T0 + 100));
});

test('a pass is applied on its own exactly when the pure rule says it is quiet; otherwise the decision reads what it needs', async (t) => {
  const pass = { outcome: 'passed' as const, observedAt: T0, restarts: 0 };
  const rows: Array<[string, Partial<CommitRequest>, Partial<typeof pass>, string | undefined, 'counted' | 'full']> = [
    ['a target never seen', {}, {}, undefined, 'counted'],
    ['a target passing', { target: { ...EMPTY_TARGET, consecutivePasses: 4, lastResultAt: T0 - 10 } }, {}, undefined, 'counted'],
    ['a pass as old as the newest applied', { target: { ...EMPTY_TARGET, restarts: 2, lastResultAt: T0 } }, { restarts: 2 }, undefined, 'counted'],
    ['a target with a failure counted', { target: { ...EMPTY_TARGET, consecutiveFailures: 1, lastResultAt: T0 - 10 } }, {}, undefined, 'full'],
    ['a result older than the newest applied', { target: { ...EMPTY_TARGET, lastResultAt: T0 + 10 } }, {}, undefined, 'full'],
    ['the kubelet restarted the pod', { target: { ...EMPTY_TARGET, restarts: 1 } }, { restarts: 2 }, undefined, 'full'],
    ['an action under a lease', { unit: { ...EMPTY_UNIT, pendingAction: 'restart', pendingToken: 'tok', pendingUntil: T0 + 30_000 } }, {}, undefined, 'full'],
    ['an action being verified', { unit: { ...EMPTY_UNIT, verifyingAction: 'restart', verifyingSince: T0 - 10 } }, {}, undefined, 'full'],
    ['an open alert', { unit: { ...EMPTY_UNIT, alertOpenSince: T0 - 10 } }, {}, undefined, 'full'],
    ['the event failed transiently before', {}, {}, 'retry', 'full'],
  ];
  for (const [name, stored, over, marker, want] of rows) {
    await t.test(name, async () => {
      const { store, where } = fresh();
      const seed = { target: EMPTY_TARGET, unitFailing: 'keep' as const, ...stored };
      if (stored.target || stored.unit) assert.equal(await store.commit(where(), commit(seed)), 'ok');
      const w = where();
      if (marker) await client.set(store.keys.dedupe(w.dedupe.source, w.dedupe.id), marker);
      const before = await store.load(w, EMPTY_UNIT, undefined, T0);
      const result = { ...pass, ...over };
      const pure = isQuietPass(before.target, before.unit, result) && before.dedupe === undefined ? 'counted' : 'full';
      assert.equal(pure, want, 'the pure rule');
      const answer = await store.pass(w, { observedAt: result.observedAt, restarts: result.restarts, reason: 'passing' }, EMPTY_UNIT, T0);
      assert.equal(answer.kind, want, 'the script');
      if (answer.kind === 'full') assert.deepEqual(answer.snap, before, 'the full decision reads what load reads');
    });
  }
});

test('Redis calls per event, from its own command statistics: a quiet pass is one EVALSHA', async (t) => {
  const own = await startPrivateRedis();
  const conn = new Redis(own.url, { maxRetriesPerRequest: 1 });
  t.after(async () => {
    conn.disconnect();
    await own.close();
  });
  const store = new HistoryStore(conn, 'calls', LIMITS);
  const where = (pod: string): Where => ({ ...fresh().where(randomUUID(), pod) });
  const calls = async (run: () => Promise<unknown>): Promise<Record<string, number>> => {
    await conn.config('RESETSTAT');
    await run();
    const out: Record<string, number> = {};
    for (const m of (await conn.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
    delete out['config|resetstat'];
    delete out.info;
    return out;
  };
  const quiet = { observedAt: T0, restarts: 0, reason: 'passing' as const };
  // Loads the scripts (ioredis falls back from EVALSHA to EVAL once per script).
  await store.pass(where('warm'), quiet, EMPTY_UNIT, T0);
  await store.commit(where('warm'), commit({ expectTarget: 1 }));

  const pass = await calls(() => store.pass(where('web-a'), quiet, EMPTY_UNIT, T0));
  assert.equal(pass.evalsha, 1);
  // Everything else was run by that script, none of it a read sent on its own, and no stream was written.
  for (const name of ['hgetall', 'zcount', 'zscore', 'eval', 'exec', 'xadd']) assert.equal(pass[name], undefined, `${name} in ${JSON.stringify(pass)}`);

  const failure = await calls(async () => {
    const w = where('web-b');
    const snap = await store.load(w, EMPTY_UNIT, undefined, T0);
    await store.commit(w, commit({ expectTarget: snap.target.version, expectUnit: snap.unit.version }));
  });
  // One pipelined read of five commands whatever the size of the unit, and one EVALSHA.
  assert.deepEqual([failure.evalsha, failure.hgetall, failure.zcount, failure.zscore], [1, 2, 1, 1]);
});

test('a quiet pass delivered again is a duplicate even when its unit has something in play by then', async () => {
  const { store, where } = fresh();
  const p = where();
  const pass = { observedAt: T0, restarts: 0, reason: 'passing' as const };
  assert.equal((await store.pass(p, pass, EMPTY_UNIT, T0)).kind, 'counted');
  // Another pod of the Deployment reached its threshold: the unit holds a lease (and would then verify the action).
  await client.hset(store.keys.unit('web-http', { namespace: 'shop', kind: 'Deployment', name: 'web' }), { pendingToken: 'tok', pendingAction: 'restart', pendingUntil: String(T0 + 60_000) });
  assert.deepEqual(await store.pass(p, pass, EMPTY_UNIT, T0 + 5), { kind: 'duplicate' }, 'counted once, whatever the unit does meanwhile');
});
