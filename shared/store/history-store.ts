// The healer's view of Redis: one read of what a decision needs (the guards' counts only when an action is on the
// table), one atomic commit of its outcome, the record of how an action ended, and a pass that changes nothing in
// one script call.
import type { Redis } from 'ioredis';
import type { Target } from '../events/schemas.ts';
import { EMPTY_PROXY_GROUP, EMPTY_TARGET, EMPTY_UNIT, fromHash, toHash } from '../healing/state.ts';
import type { ProxyGroupState, TargetState, UnitState } from '../healing/state.ts';
import type { Pause } from '../healing/guard.ts';
import { createKeys, targetId, unitOf, workloadId } from './keys.ts';
import type { Keys, PauseScope, UnitRef } from './keys.ts';
import { readPause } from './pause-record.ts';
import { COMMIT, FINALIZE, QUIET_PASS, SNAPSHOT } from './scripts.ts';
import type { QuietPass } from '../healing/quiet-pass.ts';

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
  /** How many other targets of the unit fail now (their latest failure still counts): a count, never the set. */
  othersFailing: number;
  /** What the guards read, present only when the load was asked for it (an action is on the table). */
  guards?: GuardReads;
}

/** What the guards need besides the cluster's own facts: read in the round trip before an action only. */
export interface GuardReads {
  budgetUsed: number;
  /** Dependency rules with a target failing now (at most one member of each is looked at). */
  failingDependencies: string[];
  /** An operator's pause of the rule, its namespace or the unit, if one runs now. */
  paused?: Pause;
  /** Of the target ids asked about (the workload's live pods), those failing now. */
  failingAmong: string[];
}

/** What a load reads for the guards: the rules this one depends on, and the target ids to look up in the
 *  unit's failing set (bounded by the workload's live pods the API server listed). */
export interface GuardQuery {
  dependencies: readonly string[];
  among: readonly string[];
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
  /** The rule's set of targets at or over the failure threshold: the cascade guard counts a dependency's. */
  ruleFailing: Mark;
  /** Until when (ms) an added mark counts as failing now, in the unit's set and in the rule's; without it, for the
   *  target TTL. */
  failingUntil?: { unit: number; rule: number };
  /** A pass that changed nothing but counters: counted on the target's record, not appended to the streams. */
  quiet?: boolean;
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

export type PassOutcome<U> = { kind: 'duplicate' } | { kind: 'counted' } | { kind: 'full'; snap: Snapshot<U> };

type ScriptRedis = Redis & {
  selfhealCommit(...args: string[]): Promise<string>;
  selfhealFinalize(...args: string[]): Promise<string>;
  selfhealQuietPass(...args: string[]): Promise<string | [string, string[], string[], string, number]>;
  selfhealSnapshot(...args: string[]): Promise<[string[], string[], string, number]>;
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

function pairsToRecord(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

function dedupeOf(value: unknown): Snapshot<object>['dedupe'] {
  if (value === 'done' || value === 'retry') return value;
  return typeof value === 'string' && value.startsWith('pending:') ? { pending: value.slice(8) } : undefined;
}

/** A key's TTL must be positive: a window of 0 still keeps the key for a moment. */
const ttlOf = (ms: number): string => String(Math.max(1_000, Math.ceil(ms)));

export class HistoryStore {
  readonly keys: Keys;
  readonly redis: ScriptRedis;
  readonly limits: StoreLimits;

  constructor(redis: Redis, prefix: string, limits: StoreLimits) {
    this.keys = createKeys(prefix);
    this.limits = limits;
    redis.defineCommand('selfhealCommit', { numberOfKeys: 10, lua: COMMIT });
    redis.defineCommand('selfhealFinalize', { numberOfKeys: 8, lua: FINALIZE });
    redis.defineCommand('selfhealQuietPass', { numberOfKeys: 7, lua: QUIET_PASS });
    redis.defineCommand('selfhealSnapshot', { numberOfKeys: 4, lua: SNAPSHOT });
    this.redis = redis as ScriptRedis;
  }

  private unitKey(w: Where): string {
    return 'group' in w.unit ? this.keys.proxy(w.unit.group) : this.keys.unit(w.rule, w.unit);
  }

  private unitFailingKey(w: Where): string {
    return 'group' in w.unit ? this.keys.groupFailing(w.unit.group) : this.keys.unitFailing(w.rule, w.unit);
  }

  /**
   * What a decision reads, in one round trip, at a cost that does not grow with the unit or the rule: the target,
   * its unit, the event's dedupe marker and how many other targets of the unit fail now (one script call). With `guards` (an action
   * is on the table) also the namespace budget, the pauses, whether each dependency rule has a target failing now
   * (a count), and which of the given target ids fail now.
   */
  async load<U extends object>(w: Where, emptyUnit: U, guards: GuardQuery | undefined, now: number): Promise<Snapshot<U>> {
    const member = targetId(w.rule, w.target);
    const failingKey = this.unitFailingKey(w);
    if (!guards) {
      const [target, unit, dedupe, others] = await this.redis.selfhealSnapshot(
        this.keys.target(w.rule, w.target),
        this.unitKey(w),
        failingKey,
        this.keys.dedupe(w.dedupe.source, w.dedupe.id),
        String(now),
        member,
      );
      return { target: fromHash(EMPTY_TARGET, pairsToRecord(target)), unit: fromHash(emptyUnit, pairsToRecord(unit)), dedupe: dedupeOf(dedupe), othersFailing: Number(others) };
    }
    const pipe = this.redis.pipeline();
    pipe.hgetall(this.keys.target(w.rule, w.target));
    pipe.hgetall(this.unitKey(w));
    pipe.get(this.keys.dedupe(w.dedupe.source, w.dedupe.id));
    pipe.zcount(failingKey, String(now), '+inf');
    pipe.zscore(failingKey, member);
    const pauses: Array<[PauseScope, string]> = [['rule', w.rule], ['namespace', w.target.namespace], ['workload', workloadId(unitOf(w.target))]];
    pipe.zcount(this.keys.budget(w.budgetNamespace), String(now - w.budgetWindowMs), '+inf');
    for (const [scope, id] of pauses) pipe.get(this.keys.pause(scope, id));
    for (const dep of guards.dependencies) pipe.zcount(this.keys.ruleFailing(dep), String(now), '+inf');
    if (guards.among.length > 0) pipe.zmscore(failingKey, ...guards.among);
    const results = await pipe.exec();
    if (!results) throw new Error('redis pipeline returned nothing');
    for (const [error] of results) if (error) throw error;
    const value = (i: number) => results[i]![1];
    const own = value(4);
    const snap: Snapshot<U> = {
      target: fromHash(EMPTY_TARGET, value(0) as Record<string, string>),
      unit: fromHash(emptyUnit, value(1) as Record<string, string>),
      dedupe: dedupeOf(value(2)),
      othersFailing: Number(value(3)) - (own !== null && Number(own) >= now ? 1 : 0),
    };
    const deps = 6 + pauses.length;
    const paused = pauses.map(([scope, id], i) => readPause(scope, id, value(6 + i), now)).find((p) => p !== undefined);
    const scores = guards.among.length > 0 ? (value(deps + guards.dependencies.length) as Array<string | null>) : [];
    snap.guards = {
      budgetUsed: Number(value(5)),
      failingDependencies: guards.dependencies.filter((_, i) => Number(value(deps + i)) > 0),
      failingAmong: guards.among.filter((_, i) => scores[i] !== null && Number(scores[i]) >= now),
      ...(paused ? { paused: { scope: paused.scope, id: paused.id, by: paused.by, reason: paused.reason, until: paused.until } } : {}),
    };
    return snap;
  }

  /**
   * A pass in one round trip: counted there and then when it is quiet (shared/healing/quiet-pass.ts: nothing in
   * play), with no stream entry; a duplicate; or, for the full decision, what it reads (as `load` without guards).
   */
  async pass<U extends object>(w: Where, quiet: QuietPass, emptyUnit: U, now: number): Promise<PassOutcome<U>> {
    const member = targetId(w.rule, w.target);
    const answer = await this.redis.selfhealQuietPass(
      this.keys.target(w.rule, w.target),
      this.unitKey(w),
      this.unitFailingKey(w),
      this.keys.ruleFailing(w.rule),
      this.keys.dedupe(w.dedupe.source, w.dedupe.id),
      this.keys.stats(w.rule),
      this.keys.index,
      String(quiet.observedAt),
      String(quiet.restarts),
      String(now),
      String(this.limits.targetTtlMs),
      String(this.limits.dedupeTtlMs),
      member,
      `reason:${quiet.reason}`,
      `${w.dedupe.source} ${w.dedupe.id}`,
    );
    if (answer === 'duplicate' || answer === 'counted') return { kind: answer };
    if (!Array.isArray(answer) || answer[0] !== 'full') throw new Error(`unexpected answer from the pass script: ${JSON.stringify(answer)}`);
    const [, target, unit, dedupe, others] = answer;
    return {
      kind: 'full',
      snap: {
        target: fromHash(EMPTY_TARGET, pairsToRecord(target)),
        unit: fromHash(emptyUnit, pairsToRecord(unit)),
        dedupe: dedupeOf(dedupe),
        othersFailing: Number(others),
      },
    };
  }

  /** A pending marker lives as long as its lease and a dedupe window after it: a redelivery while the action
   *  may still run must find it (and wait), whatever DEDUPE_TTL says. */
  private dedupeTtlOf(req: CommitRequest): number {
    const leaseUntil = req.dedupeValue.startsWith('pending:') ? Number((req.unit as { pendingUntil?: unknown } | undefined)?.pendingUntil ?? 0) : 0;
    return Math.max(this.limits.dedupeTtlMs, leaseUntil - req.now + this.limits.dedupeTtlMs);
  }

  async commit(w: Where, req: CommitRequest): Promise<'ok' | 'duplicate' | 'conflict' | 'budget'> {
    const failingUntil = req.failingUntil ?? { unit: req.now + this.limits.targetTtlMs, rule: req.now + this.limits.targetTtlMs };
    const args = {
      expectTarget: req.expectTarget,
      expectUnit: req.expectUnit,
      target: flatHash(toHash({ ...req.target, version: req.expectTarget + 1 })),
      unit: req.unit ? flatHash(toHash({ ...req.unit, version: req.expectUnit + 1 })) : undefined,
      unitFailing: req.unitFailing,
      ruleFailing: req.ruleFailing,
      unitUntil: String(failingUntil.unit),
      unitTtl: ttlOf(failingUntil.unit - req.now),
      ruleUntil: String(failingUntil.rule),
      ruleTtl: ttlOf(failingUntil.rule - req.now),
      member: targetId(w.rule, w.target),
      budget: req.budget ? { member: req.budget.member, max: req.budget.max, window: String(w.budgetWindowMs) } : undefined,
      stats: flatPairs(req.stats),
      history: req.quiet ? undefined : flat(req.history),
      maxLen: this.limits.historyMaxLen,
      globalMaxLen: this.limits.globalMaxLen,
      ttl: String(this.limits.targetTtlMs),
      dedupeTtl: this.dedupeTtlOf(req),
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
      dedupeTtl: this.limits.dedupeTtlMs,
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
