// The healer's one pipeline, for pod targets and proxy groups alike: load, plan, commit, act, finalize.
// The plan is pure (shared/healing/); this module only moves data between Redis, the plan and the cluster.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Action } from '../../shared/actions/catalog.ts';
import { traitsOf } from '../../shared/actions/catalog.ts';
import type { ActionOutcome } from '../../shared/actions/outcome.ts';
import { redelivery } from '../../shared/healing/redelivery.ts';
import { leaseExpired } from '../../shared/healing/settle.ts';
import type { CommitBody } from '../../shared/healing/target-plan.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import type { EventContext, Reply } from '../../shared/http/function-server.ts';
import { recordAction, recordDecision } from '../../shared/metrics/healer-metrics.ts';
import type { QuietPass } from '../../shared/healing/quiet-pass.ts';
import type { FinalizeRequest, GuardQuery, Snapshot, Where } from '../../shared/store/history-store.ts';
import type { HealerDeps } from './deps.ts';
import { storeCall } from './store-call.ts';

/** Optimistic commits retry on conflict; past this many, answer 503 and let the Broker redeliver. */
export const MAX_COMMIT_ATTEMPTS = 64;

/** Jittered and growing, so concurrent deciders on one target spread out instead of colliding again. */
function conflictBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(50, attempt * 5));
}

/** What a plan returns when it found that the event's keys were wrong (the payload named another healing unit
 *  than the cluster's): the pipeline loads again under the flow's corrected keys. */
export const RELOAD = Symbol('reload');

export interface Attempt {
  now: number;
  /** The event was decided before (its action failed transiently, or its lease is gone): do not count it twice. */
  alreadyCounted: boolean;
  /** The store refused the budget at the last commit: plan as if it were spent. */
  budgetRefused: boolean;
  /** The lease an action of this attempt runs under. */
  token: string;
}

/** What a kind of healing unit plugs into the pipeline. */
export interface Flow<U extends { version: number; pendingToken: string; pendingUntil: number }, P> {
  /** Names what is decided, for the answer after too many conflicts. */
  label: string;
  where: Where;
  empty: U;
  /** What the guards read besides the decision's own records, asked for only when an action is on the table. */
  guards(): GuardQuery | undefined;
  /** A pass the store may count on its own in one call when nothing is in play (shared/healing/quiet-pass.ts). */
  quiet?: QuietPass;
  /** Plans one attempt; may read the cluster (once) when an action is on the table. */
  plan(snap: Snapshot<U>, attempt: Attempt): Promise<P | typeof RELOAD>;
  commitOf(plan: P): CommitBody;
  /** The action to perform once the plan is committed, if any. */
  actionOf(plan: P): Action | undefined;
  /** Runs once the plan is committed, before its action if any (e.g. what a judgement of the unit implies for the
   *  cluster); never throws: what it cannot do waits for a later decision. */
  afterCommit?(plan: P): Promise<void>;
  /** The answer when no action follows. */
  answer(plan: P): Reply;
  perform(plan: P): Promise<ActionOutcome>;
  settle(plan: P, outcome: ActionOutcome, done: number): FinalizeRequest;
  /** The answer once the action ended; throws a 503 when it failed transiently (the Broker redelivers). */
  answerAfter(plan: P, outcome: ActionOutcome, done: number): Reply;
  /** Records the action of a lease that ran out with no outcome, as the cluster shows it (none: the lease is
   *  simply ignored once it ran out, which suits actions that are safe to repeat). */
  resolveLease?(unit: U, now: number): Promise<FinalizeRequest>;
}

export async function runPipeline<U extends { version: number; pendingToken: string; pendingUntil: number }, P>(
  deps: HealerDeps,
  ctx: EventContext,
  flow: Flow<U, P>,
): Promise<Reply> {
  let budgetRefused = false;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const now = deps.now();
    let snap: Snapshot<U>;
    const quiet = attempt === 1 ? flow.quiet : undefined;
    if (quiet) {
      // One round trip for the common pass; anything in play comes back as the full decision's first read.
      const passed = await storeCall(() => deps.store.pass(flow.where, quiet, flow.empty, now));
      if (passed.kind === 'duplicate') {
        ctx.log.info('duplicate delivery: already applied');
        return undefined;
      }
      if (passed.kind === 'counted') {
        recordDecision(deps.metrics, flow.where, { history: { reason: quiet.reason } });
        ctx.log.info({ reason: quiet.reason, failures: 0 }, 'no action');
        return undefined;
      }
      snap = passed.snap;
    } else {
      const guards = flow.guards();
      snap = await storeCall(() => deps.store.load(flow.where, flow.empty, guards, now));
    }
    if (snap.dedupe === 'done') {
      ctx.log.info('duplicate delivery: already applied');
      return undefined;
    }
    if (flow.resolveLease && leaseExpired(snap.unit, now)) {
      const settled = await flow.resolveLease(snap.unit, now);
      const recorded = await storeCall(() => deps.store.finalize(flow.where, settled));
      ctx.log.warn({ recorded, decision: settled.history.decision, detail: settled.history.detail }, 'an action outlived its lease with no outcome recorded: resolved against the cluster');
      continue;
    }
    const seen = redelivery(snap.dedupe, snap.unit, now);
    if (seen === 'busy') throw unavailable('the action this event started is still running; retry later');
    const plan = await flow.plan(snap, { now, alreadyCounted: seen === 'again', budgetRefused, token: randomUUID() });
    if (plan === RELOAD) continue;
    const action = flow.actionOf(plan);
    // Built before the commit: a client that cannot be built must not leave a lease and a pending event behind.
    if (action !== undefined && traitsOf(action).budgeted) {
      await deps.kube().catch((error: Error) => {
        throw unavailable(`Kubernetes client unavailable: ${error.message}`);
      });
    }
    const body = flow.commitOf(plan);
    const committed = await storeCall(() => deps.store.commit(flow.where, { expectTarget: snap.target.version, expectUnit: snap.unit.version, ...body }));
    if (committed === 'duplicate') return undefined;
    if (committed === 'conflict') {
      await conflictBackoff(attempt);
      continue;
    }
    if (committed === 'budget') {
      budgetRefused = true;
      continue;
    }
    recordDecision(deps.metrics, flow.where, body);
    await flow.afterCommit?.(plan);
    if (action === undefined) return flow.answer(plan);

    const outcome = await flow.perform(plan);
    const done = deps.now();
    const settled = flow.settle(plan, outcome, done);
    recordAction(deps.metrics, flow.where, action, outcome, settled, body.unit);
    const finalized = await storeCall(() => deps.store.finalize(flow.where, settled));
    if (finalized === 'lease-lost') ctx.log.warn({ action }, 'the action outlived its lease; another decision may have run meanwhile');
    // After finalize, so it never holds the lease; it never throws.
    await deps.events?.record(action, outcome, ctx.log);
    return flow.answerAfter(plan, outcome, done);
  }
  throw unavailable(`too many concurrent updates of ${flow.label}; retry`);
}
