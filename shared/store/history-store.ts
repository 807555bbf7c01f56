// The healer's view of Redis: one read of everything a decision needs, one atomic commit of its outcome,
// and the record of how an action ended.
import type { Redis } from 'ioredis';
import type { Target } from '../events/schemas.ts';
import { EMPTY_PROXY_GROUP, EMPTY_TARGET, EMPTY_UNIT, fromHash, toHash } from '../healing/state.ts';
import type { ProxyGroupState, TargetState, UnitState } from '../healing/state.ts';
import type { Pause } from '../healing/guard.ts';
import { createKeys, targetId, unitOf, workloadId } from './keys.ts';
import type { Keys, PauseScope, UnitRef } from './keys.ts';
import { readPause } from './pause-record.ts';
import { COMMIT, FINALIZE } from './scripts.ts';

export interface StoreLimits {
  historyMaxLen: number;
  globalMaxLen: number;
  targetTtlMs: number;
  dedupeTtlMs: number;
}

export interface Snapshot<U> {
  target: TargetState;
  unit: U;
  /** 'done' after the event was applied, 'retry' when its action failed transiently, the lease token while its
   *  action runs (or ran and was never recorded), undefined when new. */
  dedupe: 'done' | 'retry' | { pending: string } | undefined;
  /** Targets of the unit failing now: target id → when its latest failure was recorded (ms). */
  unitFailing: Record<string, string>;
  budgetUsed: number;
  failingDependencies: string[];
  /** An operator's pause of the rule, its namespace or the unit, if one runs now. */
  paused?: Pause;
}

export interface Where {
  rule: string;
  target: Target;
  /** A healing unit, or a proxy group name. */
  unit: UnitRef | { group: string };
  dedupe: { source: string; id: string };
  budgetNamespace: string;
  budgetWindowMs: number;
}

export type HistoryEntry = Record<string, string | number | undefined>;

export type Mark = 'add' | 'remove' | 'keep';

export interface CommitRequest {
  expectTarget: number;
  expectUnit: number;
  target: TargetState;
  /** The new unit or group record, or undefined when the decision left it as it was. */
  unit?: object;
  /** The unit's set of targets failing now (one failure or more): the shared-cause guard counts it. */
  unitFailing: Mark;
  /** The rule's set of targets at or over the failure threshold: the cascade guard reads it. */
  ruleFailing: Mark;
  budget?: { member: string; max: number };
  /** 'done', or `pending:<token>` when an action follows (settled by finalize). */
  dedupeValue: string;
  stats: Array<[string, number]>;
  history: HistoryEntry;
  now: number;
}

export interface FinalizeRequest {
  token: string;
  set: Record<string, string | number>;
  incr: Array<[string, number]>;
  refund?: string;
  /** A target that no longer exists (its pod was replaced): out of the failing sets. */
  forget?: string;
  retry: boolean;
  /** False when the outcome is recorded on behalf of an earlier event (a lease that ran out): the event at hand
   *  is not settled by it. */
  settleEvent?: boolean;
  stats: Array<[string, number]>;
  history: HistoryEntry;
}

type ScriptRedis = Redis & {
  selfhealCommit(...args: string[]): Promise<string>;
  selfhealFinalize(...args: string[]): Promise<string>;
};

/** Hash fields: an empty string is a value (a cleared field), so only undefined is left out. */
function flatHash(fields: Record<string, string | number | undefined>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out.push(k, String(v));
  return out;
}

/** Stream entries: empty fields say nothing, so they are left out. */
function flat(entry: Record<string, string | number | undefined>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(entry)) if (v !== undefined && v !== '') out.push(k, String(v));
  return out;
}

function flatPairs(pairs: Array<[string, number]>): Array<string | number> {
  return pairs.flatMap(([k, n]) => [k, n]);
}

export class HistoryStore {
  readonly keys: Keys;
  readonly redis: ScriptRedis;
  readonly limits: StoreLimits;

  constructor(redis: Redis, prefix: string, limits: StoreLimits) {
    this.keys = createKeys(prefix);
    this.limits = limits;
    redis.defineCommand('selfhealCommit', { numberOfKeys: 10, lua: COMMIT });
    redis.defineCommand('selfhealFinalize', { numberOfKeys: 8, lua: FINALIZE });
    this.redis = redis as ScriptRedis;
  }

  private unitKey(w: Where): string {
    return 'group' in w.unit ? this.keys.proxy(w.unit.group) : this.keys.unit(w.rule, w.unit);
  }

  private unitFailingKey(w: Where): string {
    return 'group' in w.unit ? `${this.keys.proxy(w.unit.group)}:failing` : this.keys.unitFailing(w.rule, w.unit);
  }

  /** Everything a decision reads, in one round trip. A dependency counts as failing while a target of it failed
   *  within its `freshMs`: one that stopped reporting does not hold its dependents for ever. */
  async load<U extends object>(w: Where, emptyUnit: U, dependencies: ReadonlyArray<{ rule: string; freshMs: number }>, now: number): Promise<Snapshot<U>> {
    const pipe = this.redis.pipeline();
    pipe.hgetall(this.keys.target(w.rule, w.target));
    pipe.hgetall(this.unitKey(w));
    pipe.get(this.keys.dedupe(w.dedupe.source, w.dedupe.id));
    pipe.hgetall(this.unitFailingKey(w));
    pipe.zcount(this.keys.budget(w.budgetNamespace), String(now - w.budgetWindowMs), '+inf');
    const pauses: Array<[PauseScope, string]> = [['rule', w.rule], ['namespace', w.target.namespace], ['workload', workloadId(unitOf(w.target))]];
    for (const [scope, id] of pauses) pipe.get(this.keys.pause(scope, id));
    for (const dep of dependencies) pipe.hgetall(this.keys.ruleFailing(dep.rule));
    const results = await pipe.exec();
    if (!results) throw new Error('redis pipeline returned nothing');
    for (const [error] of results) if (error) throw error;
    const value = (i: number) => results[i]![1];
    const dedupe = value(2);
    const paused = pauses.map(([scope, id], i) => readPause(scope, id, value(5 + i), now)).find((p) => p !== undefined);
    return {
      target: fromHash(EMPTY_TARGET, value(0) as Record<string, string>),
      unit: fromHash(emptyUnit, value(1) as Record<string, string>),
      dedupe: dedupe === 'done' || dedupe === 'retry' ? dedupe : typeof dedupe === 'string' && dedupe.startsWith('pending:') ? { pending: dedupe.slice(8) } : undefined,
      unitFailing: value(3) as Record<string, string>,
      budgetUsed: Number(value(4)),
      failingDependencies: dependencies
        .filter((dep, i) => Object.values(value(5 + pauses.length + i) as Record<string, string>).some((at) => Number(at) >= now - dep.freshMs))
        .map((dep) => dep.rule),
      ...(paused ? { paused: { scope: paused.scope, id: paused.id, by: paused.by, reason: paused.reason, until: paused.until } } : {}),
    };
  }

  async commit(w: Where, req: CommitRequest): Promise<'ok' | 'duplicate' | 'conflict' | 'budget'> {
    const args = {
      expectTarget: req.expectTarget,
      expectUnit: req.expectUnit,
      target: flatHash(toHash({ ...req.target, version: req.expectTarget + 1 })),
      unit: req.unit ? flatHash(toHash({ ...req.unit, version: req.expectUnit + 1 })) : undefined,
      unitFailing: req.unitFailing,
      ruleFailing: req.ruleFailing,
      member: targetId(w.rule, w.target),
      budget: req.budget ? { member: req.budget.member, max: req.budget.max, window: String(w.budgetWindowMs) } : undefined,
      stats: flatPairs(req.stats),
      history: flat(req.history),
      maxLen: this.limits.historyMaxLen,
      globalMaxLen: this.limits.globalMaxLen,
      ttl: String(this.limits.targetTtlMs),
      dedupeTtl: this.limits.dedupeTtlMs,
      dedupeValue: req.dedupeValue,
      now: String(req.now),
    };
    const answer = await this.redis.selfhealCommit(
      this.keys.target(w.rule, w.target),
      this.unitKey(w),
      this.unitFailingKey(w),
      this.keys.ruleFailing(w.rule),
      this.keys.history(w.rule, w.target),
      this.keys.events,
      this.keys.dedupe(w.dedupe.source, w.dedupe.id),
      this.keys.budget(w.budgetNamespace),
      this.keys.stats(w.rule),
      this.keys.index,
      JSON.stringify(args),
    );
    return answer as 'ok' | 'duplicate' | 'conflict' | 'budget';
  }

  async finalize(w: Where, req: FinalizeRequest): Promise<'ok' | 'lease-lost'> {
    const args = {
      token: req.token,
      set: flatHash(req.set),
      incr: flatPairs(req.incr),
      refund: req.refund,
      forget: req.forget,
      retry: req.retry,
      settle: req.settleEvent !== false,
      stats: flatPairs(req.stats),
      history: flat(req.history),
      maxLen: this.limits.historyMaxLen,
      globalMaxLen: this.limits.globalMaxLen,
      ttl: String(this.limits.targetTtlMs),
    };
    const answer = await this.redis.selfhealFinalize(
      this.unitKey(w),
      this.keys.history(w.rule, w.target),
      this.keys.events,
      this.keys.budget(w.budgetNamespace),
      this.keys.stats(w.rule),
      this.keys.dedupe(w.dedupe.source, w.dedupe.id),
      this.unitFailingKey(w),
      this.keys.ruleFailing(w.rule),
      JSON.stringify(args),
    );
    return answer as 'ok' | 'lease-lost';
  }

  /** An entry in the global stream only, for events refused before they name a valid target. */
  async recordRefusal(entry: HistoryEntry): Promise<void> {
    await this.redis.xadd(this.keys.events, 'MAXLEN', '~', String(this.limits.globalMaxLen), '*', ...flat(entry));
  }

  async proxyGroup(group: string): Promise<ProxyGroupState> {
    return fromHash(EMPTY_PROXY_GROUP, await this.redis.hgetall(this.keys.proxy(group)));
  }
}

export { EMPTY_PROXY_GROUP, EMPTY_UNIT };
export type { UnitState, ProxyGroupState };
