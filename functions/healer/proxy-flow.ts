// A proxy pod's result in the pipeline: the group's pure plan, the switch or the alert from the action catalog,
// and the proxy.switched or heal.* event that answers it.
import { actionSpec, traitsOf } from '../../shared/actions/catalog.ts';
import type { ActionOutcome } from '../../shared/actions/outcome.ts';
import type { FinalizeRequest } from '../../shared/store/history-store.ts';
import type { JudgedResult } from '../../shared/events/schemas.ts';
import { planProxy } from '../../shared/healing/proxy-plan.ts';
import type { ProxyPlan } from '../../shared/healing/proxy-plan.ts';
import { settleProxy } from '../../shared/healing/settle.ts';
import { EMPTY_PROXY_GROUP } from '../../shared/healing/state.ts';
import type { ProxyGroupState, ProxyGroupStatus } from '../../shared/healing/state.ts';
import { badRequest, unavailable } from '../../shared/http/http-error.ts';
import type { EventContext, Reply } from '../../shared/http/function-server.ts';
import type { k8s } from '../../shared/kubernetes/client.ts';
import type { EgressRule } from '../../shared/rules/schema.ts';
import { targetId } from '../../shared/store/keys.ts';
import { followOpenAlert } from './alert-followup.ts';
import { healEvent, proxySwitchedEvent } from './audit.ts';
import { actionContext } from './deps.ts';
import type { HealerDeps } from './deps.ts';
import type { Flow } from './pipeline.ts';
import { parseOptInLabel } from './pod-facts.ts';

type Acting = Extract<ProxyPlan['next'], { kind: 'act' }>;

function resultFacts(result: JudgedResult, role: 'primary' | 'secondary', eventId: string) {
  return {
    role,
    outcome: result.outcome,
    observedAt: Date.parse(result.observedAt),
    runId: result.runId,
    ...(result.probe.error ? { error: result.probe.error } : {}),
    ...(result.target.restarts ? { restarts: result.target.restarts } : {}),
    eventId,
  };
}

function performProxyAction(deps: HealerDeps, rule: EgressRule, result: JudgedResult, next: Acting, pod: k8s.V1Pod | undefined): Promise<ActionOutcome> {
  if (next.action === 'restart') {
    // The egress rule names no deleteFallback: a PodDisruptionBudget on the proxies defers the restart.
    const why = `the ${result.proxy?.role} proxy fails and traffic has moved off it`;
    return actionSpec('restart').perform(actionContext(deps), { rule: { name: rule.name, kind: rule.kind, namespace: rule.namespace }, target: result.target, pod, why });
  }
  const why = `every proxy of group ${rule.name} fails: no switch possible`;
  return actionSpec(next.action).perform(actionContext(deps), { rule, target: result.target, why, lastError: result.probe.error, ...(next.action === 'switch-proxy' ? { to: next.to } : {}) });
}

function settleProxyAction(next: Acting, at: { member: string; eventId: string; outcome: ActionOutcome; done: number }): FinalizeRequest {
  const settling = { action: next.action, reason: next.reason, token: next.token, ...at };
  if (next.action === 'restart') {
    const settled = settleProxy(settling, { status: next.status }, traitsOf);
    // Declined counts like done for the cooldown: asking again at every failure would not help either.
    return { ...settled, set: at.outcome.kind === 'performed' || at.outcome.kind === 'declined' ? { lastRestartAt: at.done } : {} };
  }
  const to = next.action === 'switch-proxy' ? { status: next.status, active: next.to } : { status: next.status };
  return settleProxy(settling, to, traitsOf);
}

export function proxyFlow(
  deps: HealerDeps,
  rule: EgressRule & { actions: readonly string[] },
  result: JudgedResult,
  ctx: EventContext,
  pod?: k8s.V1Pod,
): Flow<ProxyGroupState, ProxyPlan> {
  if (!result.proxy || result.proxy.group !== rule.name) {
    throw badRequest(`an egress result must name its proxy group "${rule.name}" and role in data.proxy`);
  }
  const { config } = deps;
  const role = result.proxy.role;
  const member = targetId(rule.name, result.target);
  const dryRun = config.dryRun || rule.dryRun;
  const facts = resultFacts(result, role, ctx.event.id);
  const policy = { ...rule, namespaceAllowed: config.allowedNamespaces.has(rule.namespace), dryRun, restartFailed: rule.actions.includes('restart') };
  const optIn = parseOptInLabel(config.optInLabel);
  const podFacts = pod ? { pod: { optedIn: pod.metadata?.labels?.[optIn.key] === optIn.value } } : {};
  const common = (plan: ProxyPlan, now: number) => ({ rule: rule.name, target: result.target, dryRun, consecutiveFailures: plan.consecutiveFailures, causeId: ctx.event.id, now });
  const changed = (plan: ProxyPlan, to: 'primary' | 'secondary' | 'none', state: ProxyGroupStatus, at: number): Reply => {
    const reason = plan.next.reason;
    const event = proxySwitchedEvent({ group: rule.name, namespace: rule.namespace, service: rule.service, from: plan.from, to, state, reason, dryRun, at: new Date(at).toISOString() });
    ctx.log.info({ from: plan.from, to, state, reason }, 'proxy group changed');
    return { event };
  };
  const acting = (plan: ProxyPlan): Acting => plan.next as Acting;
  const followGroupAlert = async (plan: ProxyPlan, now: number): Promise<void> => {
    if (!plan.openAlert) return;
    const why = plan.openAlert.kind === 'resolve' ? `proxy group ${rule.name} left AllFailed` : `every proxy of group ${rule.name} fails: no switch possible`;
    await followOpenAlert(deps, { step: plan.openAlert, rule: rule.name, target: result.target, why, lastError: result.probe.error, now }, ctx.log);
  };
  return {
    label: `proxy group ${rule.name}`,
    where: {
      rule: rule.name,
      target: result.target,
      unit: { group: rule.name },
      dedupe: { source: ctx.event.source, id: ctx.event.id },
      budgetNamespace: rule.namespace,
      budgetWindowMs: config.budgetWindowMs,
    },
    empty: EMPTY_PROXY_GROUP,
    // A group's plan guards its switch in one step: the budget and the pauses are read at every load.
    guards: () => ({ dependencies: [], among: [] }),
    plan: async (snap, attempt) => {
      if (!snap.guards) throw new Error('a proxy group was loaded without its guard reads');
      const { budgetUsed, paused } = snap.guards;
      return planProxy({ snap: { target: snap.target, unit: snap.unit, budgetUsed, ...(paused ? { paused } : {}) }, result: facts, policy, member, ...attempt, config, traits: traitsOf, ...podFacts });
    },
    commitOf: (plan) => plan.commit,
    actionOf: (plan) => (plan.next.kind === 'act' ? plan.next.action : undefined),
    // A switch out of AllFailed resolves the alert once performed (below); anything else follows the commit.
    afterCommit: (plan) => (plan.next.kind === 'act' ? Promise.resolve() : followGroupAlert(plan, plan.commit.now)),
    answer(plan) {
      const { next } = plan;
      if (next.kind === 'status-only') return changed(plan, next.to, next.status, plan.commit.now);
      if (next.kind !== 'skip') throw new Error(`an acting plan has no answer before its action (${next.kind})`);
      ctx.log.info({ reason: next.reason, role, status: plan.status }, 'no switch');
      if (!next.audited) return undefined;
      return { event: healEvent('skipped', { ...common(plan, plan.commit.now), action: next.action, reason: next.reason, detail: next.detail }) };
    },
    async perform(plan) {
      const outcome = await performProxyAction(deps, rule, result, acting(plan), pod);
      if (outcome.kind === 'performed') await followGroupAlert(plan, deps.now());
      return outcome;
    },
    settle: (plan, outcome, done) => settleProxyAction(acting(plan), { member, eventId: ctx.event.id, outcome, done }),
    answerAfter(plan, outcome, done) {
      const next = acting(plan);
      if (next.action === 'restart' && outcome.kind !== 'failed') {
        const fields = { ...common(plan, done), action: 'restart' as const, detail: outcome.detail };
        ctx.log.info({ detail: outcome.detail, role, outcome: outcome.kind }, 'proxy pod restart');
        if (outcome.kind === 'performed') return { event: healEvent('performed', { ...fields, reason: next.reason }) };
        // Put off (a PodDisruptionBudget) or declined: nothing was done, said as a skip with its reason.
        return { event: healEvent('skipped', { ...fields, reason: outcome.reason ?? 'disruption-budget' }) };
      }
      if (outcome.kind === 'failed') {
        ctx.log.error({ detail: outcome.detail }, 'proxy group action failed');
        if (outcome.transient) throw unavailable(outcome.detail, { kind: 'kubernetes', verb: next.action });
        return { event: healEvent('failed', { ...common(plan, done), action: next.action, reason: next.reason, detail: outcome.detail }) };
      }
      if (next.action === 'switch-proxy') return changed(plan, next.to, next.status, done);
      return changed(plan, 'none', 'AllFailed', done);
    },
  };
}
