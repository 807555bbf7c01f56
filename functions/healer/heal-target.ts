// Heals one probed target (a pod, or a Service of a dependency rule): read, decide, guard, commit, act, record.
import { randomUUID } from 'node:crypto';
import { raiseAlert } from '../../shared/actions/alert.ts';
import { failure } from '../../shared/actions/outcome.ts';
import type { ActionOutcome } from '../../shared/actions/outcome.ts';
import { restartPod } from '../../shared/actions/restart.ts';
import { scaleOwner } from '../../shared/actions/scale.ts';
import { readPodFacts } from '../../shared/actions/target-facts.ts';
import type { PodFacts } from '../../shared/actions/target-facts.ts';
import type { CheckResult } from '../../shared/events/schemas.ts';
import { decide } from '../../shared/healing/decide.ts';
import { BUDGETED, guard } from '../../shared/healing/guard.ts';
import type { GuardFacts, Guarded } from '../../shared/healing/guard.ts';
import { EMPTY_UNIT } from '../../shared/healing/state.ts';
import type { UnitState } from '../../shared/healing/state.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import type { EventContext, Reply } from '../../shared/http/function-server.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import { isPodRule } from '../../shared/rules/schema.ts';
import type { Action, PodRule } from '../../shared/rules/schema.ts';
import { targetId, unitOf } from '../../shared/store/keys.ts';
import type { Where } from '../../shared/store/history-store.ts';
import { healEvent } from './audit.ts';
import { MAX_COMMIT_ATTEMPTS, conflictBackoff, redeliveredAfterAction } from './context.ts';
import type { HealerDeps } from './context.ts';
import { storeCall } from './store-call.ts';

type TargetRule = Exclude<ResolvedRule, { kind: 'egress' }>;

function sameUnit(a: UnitState, b: UnitState): boolean {
  return (Object.keys(a) as Array<keyof UnitState>).every((k) => a[k] === b[k]);
}

function podNameOf(id: string): string {
  return id.slice(id.lastIndexOf(':') + 1);
}

async function gatherFacts(
  deps: HealerDeps,
  rule: TargetRule,
  result: CheckResult,
  action: Action,
): Promise<{ facts: Omit<GuardFacts, 'budgetUsed'>; pod?: PodFacts; unreadable?: string }> {
  const { config } = deps;
  const base = {
    namespaceAllowed: config.allowedNamespaces.has(rule.namespace),
    maxRestartShare: config.maxRestartShare,
    budgetMax: config.budgetMax,
    dryRun: config.dryRun || rule.dryRun,
  };
  if (!base.namespaceAllowed) return { facts: { ...base, target: 'ok' } };
  if (!isPodRule(rule) || result.target.kind !== 'Pod') {
    // Only alerts reach here (a dependency rule's only action); they touch nothing in the cluster.
    return { facts: { ...base, target: action === 'alert' ? 'ok' : 'not-in-rule' } };
  }
  const kube = await deps.kube();
  let pod: PodFacts;
  try {
    pod = await readPodFacts(kube, rule, result.target.name, config.optInLabel);
  } catch (error) {
    const outcome = failure(error, `reading pod ${rule.namespace}/${result.target.name}`);
    // Forbidden or refused for good: decided and audited, not retried by the Broker for nothing.
    if (outcome.kind === 'failed' && !outcome.transient) return { facts: { ...base, target: 'unreadable' }, unreadable: outcome.detail };
    throw error;
  }
  return { facts: { ...base, target: pod.verdict, ...(pod.siblings ? { workloadPods: pod.siblings.length } : {}) }, pod };
}

async function perform(deps: HealerDeps, rule: TargetRule, result: CheckResult, action: Action, pod: PodFacts | undefined, why: string, now: number): Promise<ActionOutcome> {
  switch (action) {
    case 'alert':
      return raiseAlert(
        { emitter: deps.emitter, webhookUrl: deps.config.webhookUrl, timeoutMs: deps.config.alertTimeoutMs },
        { rule: rule.name, target: result.target, why, severity: 'critical', at: new Date(now).toISOString() },
      );
    case 'restart':
      return restartPod(await deps.kube(), rule as PodRule, result.target.name);
    case 'scale':
      if (!pod?.pod) return { kind: 'failed', transient: false, detail: 'no pod to find the workload from' };
      return scaleOwner(await deps.kube(), rule as PodRule, pod.pod);
    case 'switch-proxy':
      return { kind: 'failed', transient: false, detail: 'switch-proxy is an action of egress rules only' };
  }
}

export async function healTarget(deps: HealerDeps, rule: TargetRule, result: CheckResult, ctx: EventContext): Promise<Reply> {
  const { store, config } = deps;
  const unit = unitOf(result.target);
  const where: Where = {
    rule: rule.name,
    target: result.target,
    unit,
    dedupe: { source: ctx.event.source, id: ctx.event.id },
    budgetNamespace: rule.namespace,
    budgetWindowMs: config.budgetWindowMs,
  };
  // A dependency's failure counts for its verification window: it is re-probed (and re-recorded) well within it.
  const dependencies = ('dependsOn' in rule ? rule.dependsOn : []).map((name) => ({ rule: name, freshMs: deps.rules.get(name)?.verifyWindow ?? 120_000 }));
  const member = targetId(rule.name, result.target);
  let gathered: Awaited<ReturnType<typeof gatherFacts>> | undefined;
  let budgetRefused = false;

  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const now = deps.now();
    const snap = await storeCall(() => store.load(where, EMPTY_UNIT, dependencies, now));
    if (snap.dedupe === 'done') {
      ctx.log.info('duplicate delivery: already applied');
      return undefined;
    }
    const alreadyCounted = redeliveredAfterAction(snap.dedupe, snap.unit, now);
    // A target that stopped reporting (a pod deleted by hand) must not count as failing for ever; one that reports
    // refreshes its entry every run, well within the time an action is in play (verification and cooldown).
    const failingNow = Object.entries(snap.unitFailing)
      .filter(([, at]) => Number(at) >= now - (rule.verifyWindow + rule.cooldown))
      .map(([id]) => id);
    const decision = decide({
      target: snap.target,
      unit: snap.unit,
      result: { outcome: result.outcome, observedAt: Date.parse(result.observedAt), ...(result.probe.error ? { error: result.probe.error } : {}) },
      policy: rule,
      now,
      alreadyCounted,
      othersFailing: failingNow.filter((id) => id !== member).length,
    });
    const overThreshold = decision.target.consecutiveFailures >= rule.failureThreshold;
    let guarded: Guarded = { verdict: decision.verdict };
    if (decision.verdict.kind === 'act') {
      gathered ??= await gatherFacts(deps, rule, result, decision.verdict.action).catch((error: unknown) => {
        throw unavailable(`cannot read the target from the Kubernetes API: ${(error as Error).message}`);
      });
      const siblings = gathered.pod?.siblings;
      const failingNames = new Set(failingNow.map(podNameOf));
      failingNames.add(result.target.name);
      guarded = guard(decision.verdict, {
        ...gathered.facts,
        budgetUsed: budgetRefused ? config.budgetMax : snap.budgetUsed,
        ...(snap.failingDependencies[0] ? { failingDependency: snap.failingDependencies[0] } : {}),
        ...(siblings ? { workloadFailing: siblings.filter((n) => failingNames.has(n)).length } : {}),
      });
    }
    const verdict = guarded.verdict;
    const action: Action | undefined = verdict.kind === 'act' ? verdict.action : guarded.intended;
    const token = verdict.kind === 'act' ? randomUUID() : '';
    const nextUnit: UnitState =
      verdict.kind === 'act' ? { ...decision.unit, pendingAction: verdict.action, pendingToken: token, pendingUntil: now + config.actionLeaseMs } : decision.unit;
    const stats: Array<[string, number]> = [[`reason:${verdict.reason}`, 1]];
    if (decision.judged) stats.push([`${snap.unit.verifyingAction}:${decision.judged}`, 1]);
    const committed = await storeCall(() =>
      store.commit(where, {
        expectTarget: snap.target.version,
        expectUnit: snap.unit.version,
        target: decision.target,
        ...(sameUnit(nextUnit, snap.unit) ? {} : { unit: nextUnit }),
        unitFailing: decision.verdict.reason === 'stale-result' ? 'keep' : result.outcome === 'failed' ? 'add' : 'remove',
        ruleFailing: decision.verdict.reason === 'stale-result' ? 'keep' : overThreshold ? 'add' : result.outcome === 'passed' ? 'remove' : 'keep',
        ...(verdict.kind === 'act' && BUDGETED.has(verdict.action) ? { budget: { member: token, max: config.budgetMax } } : {}),
        dedupeValue: verdict.kind === 'act' ? `pending:${token}` : 'done',
        stats,
        history: {
          at: new Date(now).toISOString(),
          target: member,
          event: ctx.event.id,
          outcome: result.outcome,
          decision: verdict.kind === 'act' ? 'act' : 'skip',
          reason: verdict.reason,
          action,
          failures: decision.target.consecutiveFailures,
          judged: decision.judged,
          detail: guarded.detail ?? gathered?.unreadable ?? result.probe.error,
        },
        now,
      }),
    );
    if (committed === 'duplicate') return undefined;
    if (committed === 'conflict') {
      await conflictBackoff(attempt);
      continue;
    }
    if (committed === 'budget') {
      budgetRefused = true;
      continue;
    }

    const common = { rule: rule.name, target: result.target, dryRun: config.dryRun || rule.dryRun, consecutiveFailures: decision.target.consecutiveFailures, causeId: ctx.event.id, now };
    if (verdict.kind === 'skip') {
      ctx.log.info({ reason: verdict.reason, failures: decision.target.consecutiveFailures, ...(action ? { wouldDo: action } : {}) }, 'no action');
      // Passes are many and say nothing new unless they settle an action; everything about a failure is audited.
      if (result.outcome === 'passed' && !decision.judged) return undefined;
      return { event: healEvent('skipped', { ...common, action: action ?? 'none', reason: verdict.reason, detail: guarded.detail ?? gathered?.unreadable }) };
    }

    const why = guarded.detail ?? `${decision.target.consecutiveFailures} consecutive failures of rule ${rule.name} (${result.probe.error ?? 'failed'})`;
    const outcome = await perform(deps, rule, result, verdict.action, gathered?.pod, why, now);
    const done = deps.now();
    const finalized = await storeCall(() =>
      store.finalize(where, {
        token,
        set:
          outcome.kind === 'performed'
            ? { lastAction: verdict.action, lastActionAt: done, verifyingAction: verdict.action, verifyingSince: done }
            : outcome.kind === 'failed' && !outcome.transient
              ? // An action that cannot work (forbidden, no owner to scale) must not be retried at every result:
                // the cooldown applies and the next decision takes the next rung (an alert, typically).
                { lastAction: verdict.action, lastActionAt: done, ladderStep: Math.min(nextUnit.ladderStep + 1, rule.actions.length - 1) }
              : {},
        incr: outcome.kind === 'performed' ? [['actionsPerformed', 1]] : [],
        ...(outcome.kind !== 'performed' && BUDGETED.has(verdict.action) ? { refund: token } : {}),
        ...(outcome.kind === 'performed' && verdict.action === 'restart' ? { forget: member } : {}),
        retry: outcome.kind === 'failed' && outcome.transient,
        stats: [[`${verdict.action}:${outcome.kind}`, 1]],
        history: {
          at: new Date(done).toISOString(),
          target: member,
          event: ctx.event.id,
          decision: outcome.kind,
          reason: outcome.kind === 'deferred' ? 'disruption-budget' : verdict.reason,
          action: verdict.action,
          detail: outcome.detail,
        },
      }),
    );
    const log = ctx.log.child({ action: verdict.action, reason: verdict.reason });
    if (finalized === 'lease-lost') log.warn('the action outlived its lease; another decision may have run meanwhile');
    if (outcome.kind === 'performed') {
      log.info({ detail: outcome.detail }, 'healed');
      return { event: healEvent('performed', { ...common, action: verdict.action, reason: verdict.reason, detail: outcome.detail, now: done }) };
    }
    if (outcome.kind === 'deferred') {
      log.info({ detail: outcome.detail }, 'action deferred: will retry on a later failure');
      return { event: healEvent('skipped', { ...common, action: verdict.action, reason: 'disruption-budget', detail: outcome.detail, now: done }) };
    }
    log.error({ detail: outcome.detail, transient: outcome.transient }, 'action failed');
    if (outcome.transient) throw unavailable(`action ${verdict.action} failed, retry: ${outcome.detail}`);
    return { event: healEvent('failed', { ...common, action: verdict.action, reason: verdict.reason, detail: outcome.detail, now: done }) };
  }
  throw unavailable(`too many concurrent updates of ${member}; retry`);
}
