// Confirms a failure before a restart: the healer runs the rule's own probe against the pod it re-read, the way
// check-pods would. Only a pass now can cancel the restart; a probe that cannot run confirms nothing.
import { runChecks } from '../../shared/checks/run-checks.ts';
import { notProbedReason, runningPods } from '../../shared/checks/running-pods.ts';
import { KIND_OF } from '../../shared/kinds/catalog.ts';
import type { CheckKind } from '../../shared/kinds/kind.ts';
import type { k8s } from '../../shared/kubernetes/client.ts';
import type { ResolvedRule } from '../../shared/rules/load.ts';
import type { HealerDeps } from './deps.ts';

export interface Confirmation {
  confirmed: 'passed' | 'failed' | 'not-run';
  detail: string;
}

/** The runner's margin past the probe's own timeout: the probe gives up first and says why. */
const MARGIN_MS = 1_000;

export async function confirmByProbe(deps: HealerDeps, rule: ResolvedRule, pod: k8s.V1Pod): Promise<Confirmation> {
  // The catalog's kinds differ in their rule types; this rule is of this kind, which is what the cast says.
  const kind = KIND_OF[rule.kind] as CheckKind;
  const [running] = runningPods([pod]);
  const grace = 'startupGrace' in rule ? rule.startupGrace : 0;
  const notNow = running ? notProbedReason(running, grace, deps.now()) : 'not-started';
  if (!kind.checkPod || !running || notNow) return { confirmed: 'not-run', detail: `the pod cannot be probed now (${notNow ?? 'no probe for its kind'})` };
  const check = await kind.checkPod(rule as never, running, { kube: deps.kube, ...deps.probes, now: () => new Date(deps.now()) });
  const run = await runChecks([check], { runId: 'confirm', concurrency: 1, deadlineMs: check.timeoutMs + MARGIN_MS, now: () => new Date(deps.now()) });
  const result = run.results[0];
  if (!result) return { confirmed: 'not-run', detail: `the healer's own probe could not run: ${run.inconclusive[0]?.probe.error ?? 'no result'}` };
  const probe = result.probe;
  const seen = probe.error ?? (probe.status !== undefined ? `status ${probe.status}` : probe.exitCode !== undefined ? `exit ${probe.exitCode}` : 'answered');
  return result.outcome === 'passed'
    ? { confirmed: 'passed', detail: `the healer's own probe of the pod passed just now (${seen}, ${probe.latencyMs} ms): the failures were not confirmed` }
    : { confirmed: 'failed', detail: `the healer's own probe of the pod failed too (${seen})` };
}
