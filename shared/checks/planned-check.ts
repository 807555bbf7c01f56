// One probe of one target, as a kind's planner lays it out before the run, and what a planner may use to do so.
import type { Dispatcher } from 'undici';
import type { Target } from '../events/schemas.ts';
import type { ProxyRole } from '../events/schemas.ts';
import type { KubeClients } from '../kubernetes/client.ts';
import type { Verdict } from '../probes/verdict.ts';
import type { ResolvedRule } from '../rules/load.ts';

export interface PlannedCheck {
  rule: ResolvedRule;
  target: Target;
  proxy?: { group: string; role: ProxyRole };
  /** The runner's hard limit for this probe; past it the target is reported failed and the probe aborted. */
  timeoutMs: number;
  run(signal: AbortSignal): Promise<Verdict>;
}

/** What a planner may use; everything with I/O is handed in, so tests give their own real local parts. */
export interface PlanDeps {
  /** Built on first use: importing the Kubernetes client costs about a second of cold start. */
  kube: () => Promise<KubeClients>;
  /** Keep-alive pool for HTTP probes, shared by the runs of this process. */
  http: Dispatcher;
  /** Roots plus EXTRA_CA_FILE, or undefined for Node's defaults. */
  ca: string[] | undefined;
  /** The clock a pod's startup grace is measured by. */
  now: () => Date;
}

/** A check whose verdict is already known at planning time (e.g. a proxy role with no running pod). */
export function decided(rule: ResolvedRule, target: Target, verdict: Verdict, proxy?: PlannedCheck['proxy']): PlannedCheck {
  return { rule, target, ...(proxy ? { proxy } : {}), timeoutMs: 1_000, run: async () => verdict };
}
