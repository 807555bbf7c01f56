// The ping handler every check function shares: resolve the rules, plan, probe within the deadline, emit, answer.
import { randomUUID } from 'node:crypto';
import type { Emitter } from '../emit/emitter.ts';
import { subjectOf } from '../events/build.ts';
import { pingSchema } from '../events/schemas.ts';
import { on } from '../http/function-server.ts';
import type { EventHandler } from '../http/function-server.ts';
import { HttpError, unavailable, unprocessable } from '../http/http-error.ts';
import type { KubeClients } from '../kubernetes/client.ts';
import type { CheckFunctionName } from '../kinds/kind.ts';
import type { Logger } from '../log/logger.ts';
import { recordResults, timedRun } from '../metrics/check-metrics.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { RuleSet } from '../rules/load.ts';
import type { PlanDeps, PlannedCheck } from './planned-check.ts';
import { resultEvent } from './result-event.ts';
import { resultStream } from './result-stream.ts';
import { runChecks } from './run-checks.ts';
import type { InconclusiveResult } from './run-checks.ts';
import { selectRules } from './select-rules.ts';
import { planChecks } from './targets.ts';

/** What a check function's handler uses; everything with I/O is handed in, so tests give their own real local parts. */
export interface CheckDeps extends PlanDeps {
  rules: RuleSet;
  emitter: Emitter;
  now: () => Date;
  concurrency: number;
  deadlineMs: number;
  /** Counts runs and results; none in tests that do not read them. */
  metrics?: Metrics | undefined;
}

async function kubeOrUnavailable(deps: CheckDeps): Promise<KubeClients> {
  try {
    return await deps.kube();
  } catch (error) {
    throw unavailable(`kubernetes client cannot be built: ${(error as Error).message}`);
  }
}

export function createCheckHandler(fn: CheckFunctionName, deps: CheckDeps): EventHandler<typeof pingSchema> {
  return on(pingSchema, (data, ctx) =>
    timedRun(deps.metrics, async () => {
      const rules = selectRules(deps.rules, data.rules, fn);
      const runId = randomUUID();
      const started = performance.now();
      const planDeps: PlanDeps = { ...deps, kube: () => kubeOrUnavailable(deps) };
      let checks: PlannedCheck[];
      try {
        checks = await planChecks(rules, planDeps);
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw unavailable(`cannot find the targets: ${(error as Error).message}`, { kind: 'kubernetes', verb: 'list' });
      }
      // Finding the targets spent part of the deadline; the probes get what is left.
      const left = Math.max(0, deps.deadlineMs - (performance.now() - started));
      // Results are sent as their probes end (targets nothing is known about are not sent at all).
      const stream = resultStream(deps.emitter);
      const { results, inconclusive } = await runChecks(checks, {
        runId,
        concurrency: deps.concurrency,
        deadlineMs: left,
        now: deps.now,
        signal: ctx.signal,
        onResult: (r) => stream.push(resultEvent(fn, r)),
      });
      recordResults(deps.metrics, results);
      const failed = results.filter((r) => r.outcome === 'failed');
      for (const r of failed) {
        ctx.log.warn({ runId, rule: r.rule, target: subjectOf(r.target), address: r.target.address, probe: r.probe, ...(r.proxy ? { proxy: r.proxy } : {}) }, `check failed: ${r.probe.error ?? 'failed'}`);
      }
      // The rules the ping named are on every line already (the event's logger carries them as `rules`).
      const summary = {
        runId,
        targets: results.length,
        failed: failed.length,
        durationMs: Math.round(performance.now() - started),
      };
      try {
        await stream.drain();
      } catch (error) {
        ctx.log.error({ ...summary, err: (error as Error).message }, 'check run finished, but the sink did not take the results');
        const refused = results.length - stream.sent;
        throw unavailable(`the sink did not take ${refused === results.length ? 'the' : `${refused} of the`} ${results.length} results: ${(error as Error).message}`);
      }
      const refusal = inconclusiveAnswer(inconclusive, summary, ctx.log);
      if (refusal) throw refusal;
      ctx.log.info(summary, 'check run finished');
      return undefined;
    }),
  );
}

/**
 * Targets nothing is known about get no result, so they count neither as failing nor as passing. Probes that
 * could not run make the ping a 503, retried; rules that cannot check their targets as written make it a final
 * 422 (asking again gets the same answer; the next tick asks anyway), with an error line per target that names
 * the rule. When both happen the retry wins: it reports the rule errors again.
 */
function inconclusiveAnswer(inconclusive: readonly InconclusiveResult[], summary: object, log: Logger): HttpError | undefined {
  const line = (r: InconclusiveResult) => `${subjectOf(r.target)}: ${r.probe.error ?? 'not run'}`;
  const ruleErrors = inconclusive.filter((r) => r.cause === 'rule-error');
  for (const r of ruleErrors) log.error({ ...summary, rule: r.rule, target: subjectOf(r.target), probe: r.probe }, `rule ${r.rule} cannot check its target as written: ${r.probe.error ?? 'no detail'}`);
  const notRun = inconclusive.filter((r) => r.cause === 'not-run').map(line);
  if (notRun.length > 0) {
    log.error({ ...summary, inconclusive: notRun }, 'check run finished, but the API server did not let some probes run');
    return unavailable(`${notRun.length} probe(s) could not run: ${notRun.join('; ')}`);
  }
  if (ruleErrors.length === 0) return undefined;
  const details = ruleErrors.map((r) => `rule ${r.rule}, ${line(r)}`);
  return unprocessable(`${ruleErrors.length} target(s) cannot be checked as their rule is written`, details);
}
