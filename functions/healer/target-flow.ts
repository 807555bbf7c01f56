// A probed target (a pod, or a Service of a dependency rule) in the pipeline: what the cluster says of it before an
// action, the pure plan, the action from the catalog, and the audit event that answers the result.
import { actionSpec, traitsOf } from '../../shared/actions/catalog.ts';
import type { Action } from '../../shared/actions/catalog.ts';
import { failure } from '../../shared/actions/outcome.ts';
import type { JudgedResult, Target } from '../../shared/events/schemas.ts';
import { settleExpiredLease, settledReason, settleTarget } from '../../shared/healing/settle.ts';
import type { LeaseFinding } from '../../shared/healing/settle.ts';
import { EMPTY_UNIT } from '../../shared/healing/state.ts';
import type { UnitState } from '../../shared/healing/state.ts';
import { planTarget } from '../../shared/healing/target-plan.ts';
import { quietPassOf } from '../../shared/healing/quiet-pass.ts';
import type { TargetFacts, TargetPlan, TargetPlanInput } from '../../shared/healing/target-plan.ts';
import { unavailable } from '../../shared/http/http-error.ts';
import type { EventContext } from '../../shared/http/function-server.ts';
import type { Logger } from '../../shared/log/logger.ts';
import type { FinalizeRequest } from '../../shared/store/history-store.ts';
import type { k8s } from '../../shared/kubernetes/client.ts';
import { owningWorkload } from '../../shared/kubernetes/owner-chain.ts';
import type { Workload } from '../../shared/kubernetes/owner-chain.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import { isPodRule } from '../../shared/rules/schema.ts';
import { targetId, unitOf } from '../../shared/store/keys.ts';
import { healEvent } from './audit.ts';
import { actionContext } from './deps.ts';
import type { HealerDeps } from './deps.ts';
import { RELOAD } from './pipeline.ts';
import type { Flow } from './pipeline.ts';
import { followOpenAlert } from './alert-followup.ts';
import { confirmByProbe } from './confirm.ts';
import { restoreAfterJudgement } from './hpa-restore.ts';
import { readPodFacts } from './pod-facts.ts';

export type TargetRule = Exclude<ResolvedRule, { kind: 'egress' }>;

interface Gathered {
  /** The action these facts were read for: another action (after a reload) reads again. */
  action: Action;
  facts: TargetFacts;
  pod?: k8s.V1Pod | undefined;
  /** The pod's workload as the API server reports it (none for a pod without an owner). */
  workload?: Workload | undefined;
}

/** Re-reads what an action would touch: never trust the payload for what may be done. */
async function gather(deps: HealerDeps, rule: TargetRule, result: JudgedResult, action: Action): Promise<Gathered> {
  const { config } = deps;
  const base = {
    namespaceAllowed: config.allowedNamespaces.has(rule.namespace),
    maxRestartShare: config.maxRestartShare,
    budgetMax: config.budgetMax,
    dryRun: config.dryRun || rule.dryRun,
  };
  if (!base.namespaceAllowed) return { action, facts: { guard: { ...base, target: 'ok' } } };
  if (!isPodRule(rule) || result.target.kind !== 'Pod') {
    // Only actions that touch nothing in the cluster (alerts) act on anything but a pod.
    return { action, facts: { guard: { ...base, target: traitsOf(action).readsPod ? 'not-in-rule' : 'ok' } } };
  }
  const kube = await deps.kube();
  try {
    const pod = await readPodFacts(kube, rule, result.target.name, config.optInLabel);
    const siblings = pod.siblings;
    const confirming = traitsOf(action).confirmsFirst && rule.confirm && pod.verdict === 'ok' && pod.pod;
    const confirmation = confirming ? await confirmByProbe(deps, rule, pod.pod!) : undefined;
    const guard = {
      ...base,
      target: pod.verdict,
      ...(siblings ? { workloadPods: siblings.length } : {}),
      ...(confirmation ? { confirmed: confirmation.confirmed, confirmDetail: confirmation.detail } : {}),
    };
    const facts: TargetFacts = { guard, ...(siblings ? { siblings } : {}) };
    if (pod.pod?.metadata?.uid) facts.podUid = pod.pod.metadata.uid;
    return { action, facts, pod: pod.pod, workload: pod.pod ? owningWorkload(pod.pod.metadata ?? {}) : undefined };
  } catch (error) {
    const outcome = failure(error, `reading pod ${rule.namespace}/${result.target.name}`);
    // Forbidden or refused for good: decided and audited, not retried by the Broker for nothing.
    if (outcome.kind === 'failed' && !outcome.transient) return { action, facts: { guard: { ...base, target: 'unreadable' }, unreadable: outcome.detail } };
    throw error;
  }
}

/** A lease that ran out with no outcome: what the cluster shows of its action, recorded for the unit. */
async function resolveLease(deps: HealerDeps, rule: TargetRule, unit: UnitState, now: number, eventId: string): Promise<FinalizeRequest> {
  const action = unit.pendingAction as Action;
  const spec = actionSpec(action);
  let finding: LeaseFinding = { done: undefined, detail: `whether ${action} was done cannot be told: taken as done, so it is not repeated inside the cooldown` };
  if (spec.wasDone && unit.pendingTarget !== '') {
    const on = { namespace: rule.namespace, pod: unit.pendingTarget, uid: unit.pendingUid };
    finding = await spec.wasDone(actionContext(deps), on).catch((error: unknown) => {
      throw unavailable(`cannot read the cluster to resolve a ${action} whose lease ran out: ${(error as Error).message}`, { kind: 'kubernetes', verb: 'get' });
    });
  }
  const podMember = (pod: string) => targetId(rule.name, { namespace: rule.namespace, kind: 'Pod', name: pod });
  return settleExpiredLease(unit, finding, { member: podMember, eventId, now }, traitsOf);
}

/** The payload's workload is display only: the healing unit is the one the pod's owner chain names. */
function sameWorkload(a: Workload | undefined, b: Workload | undefined): boolean {
  return a?.kind === b?.kind && a?.name === b?.name;
}

export function targetFlow(deps: HealerDeps, rule: TargetRule, result: JudgedResult, ctx: EventContext): Flow<UnitState, TargetPlan> {
  const { config } = deps;
  const member = targetId(rule.name, result.target);
  let target: Target = result.target;
  const dryRun = config.dryRun || rule.dryRun;
  let gathered: Gathered | undefined;
  const facts = {
    outcome: result.outcome,
    observedAt: Date.parse(result.observedAt),
    ...(result.probe.error ? { error: result.probe.error } : {}),
    ...(result.target.restarts ? { restarts: result.target.restarts } : {}),
    eventId: ctx.event.id,
  };
  const common = (plan: TargetPlan, now: number) => ({ rule: rule.name, target, dryRun, consecutiveFailures: plan.consecutiveFailures, causeId: ctx.event.id, now });
  const quiet = quietPassOf(facts);
  return {
    label: member,
    get where() {
      return {
        rule: rule.name,
        target,
        unit: unitOf(target),
        dedupe: { source: ctx.event.source, id: ctx.event.id },
        budgetNamespace: rule.namespace,
        budgetWindowMs: config.budgetWindowMs,
      };
    },
    empty: EMPTY_UNIT,
    // Only once the cluster was read for an action: the failing dependencies, and which of the live pods fail now.
    guards: () =>
      gathered && {
        dependencies: 'dependsOn' in rule ? rule.dependsOn : [],
        among: (gathered.facts.siblings ?? []).map((pod) => targetId(rule.name, { namespace: target.namespace, kind: 'Pod', name: pod })),
      },
    ...(quiet ? { quiet } : {}),
    async plan(snap, attempt) {
      const input: TargetPlanInput = { snap, result: facts, policy: rule, member, ...attempt, config, traits: traitsOf };
      const step = planTarget(input);
      if (step.kind === 'planned') return step;
      if (gathered?.action === step.action) {
        const planned = planTarget({ ...input, facts: gathered.facts });
        if (planned.kind !== 'planned') throw new Error('a plan given the facts asked for them again');
        return planned;
      }
      gathered = await gather(deps, rule, result, step.action).catch((error: unknown) => {
        throw unavailable(`cannot read the target from the Kubernetes API: ${(error as Error).message}`, { kind: 'kubernetes', verb: 'get' });
      });
      if (gathered.pod && !sameWorkload(gathered.workload, target.workload)) {
        ctx.log.warn({ claimed: target.workload ?? null, actual: gathered.workload ?? null }, 'the result names another workload than the pod\'s owner: deciding for the owner');
        const { workload: _claimed, ...bare } = target;
        target = gathered.workload ? { ...bare, workload: gathered.workload } : bare;
      }
      // The reads (and the confirming probe) took time: decide again on a fresh snapshot, so the lease that the
      // commit takes starts now, and an action other than the one read for is read for anew.
      return RELOAD;
    },
    commitOf: (plan) => plan.commit,
    async afterCommit(plan) {
      await restoreAfterJudgement(deps, rule, target, plan, ctx.log);
      if (!plan.openAlert) return;
      const why = plan.openAlert.kind === 'resolve' ? `rule ${rule.name}: healed` : `${plan.consecutiveFailures} consecutive failures of rule ${rule.name} (${result.probe.error ?? 'failed'})`;
      await followOpenAlert(deps, { step: plan.openAlert, rule: rule.name, target, why, lastError: result.probe.error, now: plan.commit.now }, ctx.log);
    },
    actionOf: (plan) => plan.act?.action,
    answer(plan) {
      const { verdict } = plan;
      logVerdict(ctx.log, plan, { reason: verdict.reason, failures: plan.consecutiveFailures, ...(plan.intended ? { wouldDo: plan.intended } : {}) });
      if (!plan.audited) return undefined;
      return { event: healEvent('skipped', { ...common(plan, plan.commit.now), action: plan.intended ?? 'none', reason: verdict.reason, detail: plan.detail }) };
    },
    perform: (plan) => actionSpec(plan.act!.action).perform(actionContext(deps), { rule, target, pod: gathered?.pod, why: plan.act!.why, lastError: result.probe.error }),
    settle: (plan, outcome, done) =>
      settleTarget(
        { action: plan.act!.action, reason: plan.verdict.reason, token: plan.act!.token, member, eventId: ctx.event.id, outcome, done },
        { step: plan.act!.ladderStep, length: rule.actions.length },
        traitsOf,
      ),
    resolveLease: (unit, now) => resolveLease(deps, rule, unit, now, ctx.event.id),
    answerAfter(plan, outcome, done) {
      const action = plan.act!.action;
      const reason = plan.verdict.reason;
      const log = ctx.log.child({ action, reason });
      const fields = { ...common(plan, done), action, detail: outcome.detail };
      if (plan.judged === 'not-healed') log.warn({ failures: plan.consecutiveFailures }, `not healed: the unit still fails after its last action; next rung ${action}`);
      if (outcome.kind === 'performed') {
        // Acted, not healed: whether it healed is judged later, after the verify window. An alert is for people: a warning.
        log[action === 'alert' ? 'warn' : 'info']({ detail: outcome.detail }, `acted: ${action}`);
        return { event: healEvent('performed', { ...fields, reason }) };
      }
      if (outcome.kind === 'deferred' || outcome.kind === 'declined') {
        log.info({ detail: outcome.detail }, outcome.kind === 'deferred' ? `deferred: ${action} retried on a later failure` : `declined: ${action} cannot help here; the next rung after the cooldown`);
        return { event: healEvent('skipped', { ...fields, reason: settledReason({ outcome, reason }) }) };
      }
      log.error({ detail: outcome.detail, transient: outcome.transient }, `failed: ${action}`);
      if (outcome.transient) throw unavailable(`action ${action} failed, retry: ${outcome.detail}`, { kind: 'kubernetes', verb: action });
      return { event: healEvent('failed', { ...fields, reason }) };
    },
  };
}

/** A decision that acts on nothing, in the words of the decision model: the verdict on the last action (healed, not
 *  healed) when this result gave one, passing results at debug (a healthy cluster says little), else why not. */
function logVerdict(log: Logger, plan: TargetPlan, fields: Record<string, unknown>): void {
  if (plan.judged === 'healed') log.info(fields, 'healed: the unit passes after its last action');
  else if (plan.judged === 'not-healed') log.warn(fields, `not healed: the unit still fails after its last action; ${String(fields.wouldDo ?? 'no action')} not taken (${plan.verdict.reason})`);
  else if (plan.verdict.reason === 'passing') log.debug(fields, 'passing');
  else log.info(fields, 'no action');
}
