// The healer's handler: admits a check result against its own rules, then runs it through the pipeline.
import { observedAtProblem } from '../../shared/healing/admission.ts';
import { judgedResultSchema } from '../../shared/events/schemas.ts';
import type { JudgedResult } from '../../shared/events/schemas.ts';
import { subjectOf } from '../../shared/events/build.ts';
import { EventType } from '../../shared/events/types.ts';
import { badRequest, unavailable } from '../../shared/http/http-error.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import { on } from '../../shared/http/function-server.ts';
import type { EventContext, Reply } from '../../shared/http/function-server.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';
import type { HealerDeps } from './deps.ts';
import { runPipeline } from './pipeline.ts';
import { checkProxyResult } from './proxy-facts.ts';
import { proxyFlow } from './proxy-flow.ts';
import { storeCall } from './store-call.ts';
import { targetFlow } from './target-flow.ts';

async function refuse(deps: HealerDeps, result: JudgedResult, ctx: EventContext, reason: string, message: string): Promise<never> {
  await storeCall(() =>
    deps.store.recordRefusal({ at: new Date(deps.now()).toISOString(), event: ctx.event.id, source: ctx.event.source, rule: result.rule, target: subjectOf(result.target), decision: 'refused', reason, detail: message }),
  );
  ctx.log.warn({ reason }, message);
  throw badRequest(message);
}

async function kubeOrUnavailable(deps: HealerDeps): Promise<KubeClients> {
  try {
    return await deps.kube();
  } catch (error) {
    throw unavailable(`Kubernetes client unavailable: ${(error as Error).message}`);
  }
}

export async function handleResult(deps: HealerDeps, result: JudgedResult, ctx: EventContext): Promise<Reply> {
  if (!outcomeMatchesType(ctx.event.type, result)) {
    throw badRequest(`event type ${ctx.event.type} does not agree with data.outcome "${result.outcome}"`);
  }
  // The payload names a rule; what may be done comes from the healer's own copy of it, never from the event.
  const rule = deps.rules.get(result.rule);
  if (!rule) return refuse(deps, result, ctx, 'unknown-rule', `unknown rule "${result.rule}": the healer's rules file (${deps.rules.source}) has no such rule`);
  if (rule.kind !== result.ruleKind) {
    return refuse(deps, result, ctx, 'target-not-in-rule', `rule "${rule.name}" is a ${rule.kind} rule, but the result says ${result.ruleKind}`);
  }
  if (result.target.namespace !== rule.namespace) {
    return refuse(deps, result, ctx, 'target-not-in-rule', `target ${subjectOf(result.target)} is outside rule "${rule.name}" (namespace ${rule.namespace})`);
  }
  const untimely = observedAtProblem(result.observedAt, deps.now(), deps.config);
  if (untimely) return refuse(deps, result, ctx, 'result-out-of-time', untimely);
  if (rule.kind === 'egress') {
    const { problem, pod } = result.proxy ? await checkProxyResult(await kubeOrUnavailable(deps), rule, result, result.proxy.role) : {};
    if (problem) return refuse(deps, result, ctx, 'target-not-in-rule', `${subjectOf(result.target)} cannot count for proxy group "${rule.name}": ${problem}`);
    return runPipeline(deps, ctx, proxyFlow(deps, rule, result, ctx, pod));
  }
  return runPipeline(deps, ctx, targetFlow(deps, rule, result, ctx));
}

export function healerParts(deps: HealerDeps, extra: { ready?: () => boolean; close?: () => Promise<void> } = {}): FunctionParts {
  const handler = on(judgedResultSchema, (data, ctx) => handleResult(deps, data, ctx));
  return {
    handlers: { [EventType.checkFailed]: handler, [EventType.checkPassed]: handler },
    describe: (d) => {
      const r = d as JudgedResult;
      return { rule: r.rule, target: subjectOf(r.target) };
    },
    ...extra,
  };
}

/** The event type must agree with the outcome in the data: a forged mix is refused. */
export function outcomeMatchesType(type: string, result: JudgedResult): boolean {
  // A skipped result (a pod not probed on purpose) is neither: it never reaches a decision.
  if (type === EventType.checkFailed) return result.outcome === 'failed';
  if (type === EventType.checkPassed) return result.outcome === 'passed';
  return false;
}
