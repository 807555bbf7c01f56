// Heals a proxy group: feeds a proxy's result to the group's state machine and switches the Service when it says so.
import { randomUUID } from 'node:crypto';
import { raiseAlert } from '../../shared/actions/alert.ts';
import type { ActionOutcome } from '../../shared/actions/outcome.ts';
import { switchProxy } from '../../shared/actions/switch-proxy.ts';
import type { CheckResult } from '../../shared/events/schemas.ts';
import { countResult } from '../../shared/healing/decide.ts';
import { guard } from '../../shared/healing/guard.ts';
import { decideProxy } from '../../shared/healing/proxy-group.ts';
import type { ProxyVerdict } from '../../shared/healing/proxy-group.ts';
import { EMPTY_PROXY_GROUP } from '../../shared/healing/state.ts';
import type { ProxyGroupState } from '../../shared/healing/state.ts';
import { badRequest, unavailable } from '../../shared/http/http-error.ts';
import type { EventContext, Reply } from '../../shared/http/function-server.ts';
import type { EgressRule } from '../../shared/rules/schema.ts';
import type { Where } from '../../shared/store/history-store.ts';
import { targetId } from '../../shared/store/keys.ts';
import { healEvent, proxySwitchedEvent } from './audit.ts';
import { MAX_COMMIT_ATTEMPTS, conflictBackoff, redeliveredAfterAction } from './context.ts';
import type { HealerDeps } from './context.ts';
import { storeCall } from './store-call.ts';

export async function healProxy(deps: HealerDeps, rule: EgressRule & { actions: readonly string[] }, result: CheckResult, ctx: EventContext): Promise<Reply> {
  const { store, config } = deps;
  if (!result.proxy || result.proxy.group !== rule.name) {
    throw badRequest(`an egress result must name its proxy group "${rule.name}" and role in data.proxy`);
  }
  const role = result.proxy.role;
  const where: Where = {
    rule: rule.name,
    target: result.target,
    unit: { group: rule.name },
    dedupe: { source: ctx.event.source, id: ctx.event.id },
    budgetNamespace: rule.namespace,
    budgetWindowMs: config.budgetWindowMs,
  };
  const member = targetId(rule.name, result.target);
  const dryRun = config.dryRun || rule.dryRun;
  let budgetRefused = false;

  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const now = deps.now();
    const snap = await storeCall(() => store.load(where, EMPTY_PROXY_GROUP, [], now));
    if (snap.dedupe === 'done') return undefined;
    const observedAt = Date.parse(result.observedAt);
    const alreadyCounted = redeliveredAfterAction(snap.dedupe, snap.unit, now);
    const decision = decideProxy({ group: snap.unit, result: { role, outcome: result.outcome, observedAt, runId: result.runId }, policy: rule, now, alreadyCounted });
    const target = alreadyCounted || decision.verdict.reason === 'stale-result' ? snap.target : countResult(snap.target, { outcome: result.outcome, observedAt, ...(result.probe.error ? { error: result.probe.error } : {}) });

    let verdict: ProxyVerdict = decision.verdict;
    let skipReason: string | undefined;
    const namespaceAllowed = config.allowedNamespaces.has(rule.namespace);
    // Leaving AllFailed towards the proxy the Service already selects changes no cluster object: a status change
    // only, never blocked by a guard (else dry run or a spent budget would keep the selector at 503 for good).
    const statusOnly = verdict.kind === 'switch' && verdict.to === snap.unit.active;
    if (verdict.kind === 'enter-all-failed' && (!namespaceAllowed || dryRun)) {
      skipReason = namespaceAllowed ? 'dry-run' : 'namespace-not-allowed';
      verdict = { kind: 'skip', reason: skipReason as 'dry-run' | 'namespace-not-allowed' };
    }
    if (verdict.kind === 'switch' && !statusOnly) {
      const guarded = guard(
        { kind: 'act', action: 'switch-proxy', reason: verdict.reason },
        {
          namespaceAllowed,
          target: 'ok',
          maxRestartShare: config.maxRestartShare,
          budgetUsed: budgetRefused ? config.budgetMax : snap.budgetUsed,
          budgetMax: config.budgetMax,
          dryRun,
        },
      );
      if (guarded.verdict.kind === 'skip') {
        skipReason = guarded.verdict.reason;
        verdict = { kind: 'skip', reason: guarded.verdict.reason };
      }
    }
    const acting = verdict.kind !== 'skip' && !statusOnly;
    const token = acting ? randomUUID() : '';
    let group: ProxyGroupState = acting ? { ...decision.group, pendingToken: token, pendingUntil: now + config.actionLeaseMs } : decision.group;
    if (statusOnly && verdict.kind === 'switch') group = { ...group, status: verdict.status };
    // Built before the commit: a client that cannot be built must not leave a lease and a pending event behind.
    const kube = verdict.kind === 'switch' && !statusOnly ? await deps.kube().catch((e: Error) => {
      throw unavailable(`Kubernetes client unavailable: ${e.message}`);
    }) : undefined;
    const committed = await storeCall(() =>
      store.commit(where, {
        expectTarget: snap.target.version,
        expectUnit: snap.unit.version,
        target,
        unit: group,
        unitFailing: 'keep',
        ruleFailing: 'keep',
        ...(acting && verdict.kind === 'switch' ? { budget: { member: token, max: config.budgetMax } } : {}),
        dedupeValue: acting ? `pending:${token}` : 'done',
        stats: [[`reason:${verdict.reason}`, 1]],
        history: {
          at: new Date(now).toISOString(),
          target: member,
          event: ctx.event.id,
          role,
          outcome: result.outcome,
          decision: acting ? 'act' : 'skip',
          reason: verdict.reason,
          status: group.status,
          action: verdict.kind === 'switch' || skipReason === 'dry-run' ? 'switch-proxy' : verdict.kind === 'enter-all-failed' ? 'alert' : undefined,
          detail: result.probe.error,
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

    const common = { rule: rule.name, target: result.target, dryRun, consecutiveFailures: target.consecutiveFailures, causeId: ctx.event.id, now };
    if (verdict.kind === 'skip') {
      ctx.log.info({ reason: verdict.reason, role, status: group.status }, 'no switch');
      if (result.outcome === 'passed' && skipReason === undefined) return undefined;
      return { event: healEvent('skipped', { ...common, action: skipReason === 'dry-run' ? 'switch-proxy' : 'none', reason: verdict.reason }) };
    }

    const changed = (to: 'primary' | 'secondary' | 'none', state: ProxyGroupState['status'], at: number) => {
      const event = proxySwitchedEvent({
        group: rule.name,
        namespace: rule.namespace,
        service: rule.service,
        from: snap.unit.status === 'AllFailed' ? 'none' : snap.unit.active,
        to,
        state,
        reason: verdict.reason,
        dryRun,
        at: new Date(at).toISOString(),
      });
      ctx.log.info({ from: event.data?.from, to, state, reason: verdict.reason }, 'proxy group changed');
      return { event };
    };
    if (statusOnly && verdict.kind === 'switch') return changed(verdict.to, verdict.status, now);

    let outcome: ActionOutcome;
    let set: Record<string, string | number>;
    if (verdict.kind === 'enter-all-failed') {
      outcome = await raiseAlert(
        { emitter: deps.emitter, webhookUrl: config.webhookUrl, timeoutMs: config.alertTimeoutMs },
        { rule: rule.name, target: result.target, why: `every proxy of group ${rule.name} fails: no switch possible`, severity: 'critical', at: new Date(now).toISOString() },
      );
      set = { status: 'AllFailed' };
    } else {
      outcome = await switchProxy(kube!, rule, verdict.to);
      set = { status: verdict.status, active: verdict.to, lastSwitchAt: deps.now() };
    }
    const done = deps.now();
    const performed = outcome.kind === 'performed';
    await storeCall(() =>
      store.finalize(where, {
        token,
        set: performed ? set : {},
        incr: performed && verdict.kind === 'switch' ? [['switches', 1]] : [],
        ...(!performed && verdict.kind === 'switch' ? { refund: token } : {}),
        retry: outcome.kind === 'failed' && outcome.transient,
        stats: [[`${verdict.kind === 'switch' ? 'switch-proxy' : 'alert'}:${outcome.kind}`, 1]],
        history: { at: new Date(done).toISOString(), target: member, event: ctx.event.id, decision: outcome.kind, reason: verdict.reason, detail: outcome.detail },
      }),
    );
    if (outcome.kind === 'failed') {
      ctx.log.error({ detail: outcome.detail }, 'proxy group action failed');
      if (outcome.transient) throw unavailable(outcome.detail);
      return { event: healEvent('failed', { ...common, action: verdict.kind === 'switch' ? 'switch-proxy' : 'alert', reason: verdict.reason, detail: outcome.detail, now: done }) };
    }
    return verdict.kind === 'switch' ? changed(verdict.to, verdict.status, done) : changed('none', 'AllFailed', done);
  }
  throw unavailable(`too many concurrent updates of proxy group ${rule.name}; retry`);
}
