// The Prometheus metrics of one function process: its own registry (never the global one) and the metric objects.
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Dependency } from '../http/http-error.ts';

/** Probe and run durations, in seconds: from a fast in-cluster answer to a run that hits its deadline. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges with a counter's suffix, which promtool rejects; their per-type twins stay.
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const registers = [registry];
  const metrics = {
    registry,
    healthChecks: new Counter({ name: 'selfheal_health_checks_total', help: 'Check results sent, by rule and result (passed, failed, skipped).', labelNames: ['rule', 'result'] as const, registers }),
    probeDuration: new Histogram({ name: 'selfheal_probe_duration_seconds', help: 'Duration of one probe of one target, by rule and rule kind.', labelNames: ['rule', 'kind'] as const, buckets: DURATION_BUCKETS, registers }),
    checkRuns: new Counter({ name: 'selfheal_check_runs_total', help: 'Check runs (one per PingSource tick), by result (ok, error).', labelNames: ['result'] as const, registers }),
    checkRunDuration: new Histogram({ name: 'selfheal_check_run_duration_seconds', help: 'Duration of a whole check run: finding the targets, probing, sending the results.', buckets: DURATION_BUCKETS, registers }),
    decisions: new Counter({ name: 'selfheal_decisions_total', help: 'Decisions the healer committed, by rule and reason (acted or not).', labelNames: ['rule', 'reason'] as const, registers }),
    healingActions: new Counter({ name: 'selfheal_healing_actions_total', help: 'Healing actions settled, by action and result (performed, deferred, declined, failed).', labelNames: ['action', 'result'] as const, registers }),
    proxySwitches: new Counter({ name: 'selfheal_proxy_switches_total', help: 'Switches of a proxy group (its Service selector moved to the other role) this replica performed, by group.', labelNames: ['group'] as const, registers }),
    proxyActive: new Gauge({ name: 'selfheal_proxy_active', help: 'The active proxy of a group as last committed by this replica: 1 active, 0 not.', labelNames: ['group', 'role'] as const, registers }),
    redisErrors: new Counter({ name: 'selfheal_redis_errors_total', help: 'Redis calls that failed and made the healer answer 503.', registers }),
    kubernetesApiErrors: new Counter({ name: 'selfheal_kubernetes_api_errors_total', help: 'Kubernetes API calls that failed and made the function answer 503, by verb.', labelNames: ['verb'] as const, registers }),
    buildInfo: new Gauge({ name: 'selfheal_build_info', help: 'Always 1: the version of selfheal and of Node this process runs.', labelNames: ['version', 'node'] as const, registers }),
  };
  metrics.buildInfo.set({ version: packageVersion(), node: process.versions.node }, 1);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The names of every metric this module defines (the alert rules may only name these). */
export const METRIC_NAMES = [
  'selfheal_health_checks_total',
  'selfheal_probe_duration_seconds',
  'selfheal_check_runs_total',
  'selfheal_check_run_duration_seconds',
  'selfheal_decisions_total',
  'selfheal_healing_actions_total',
  'selfheal_proxy_switches_total',
  'selfheal_proxy_active',
  'selfheal_redis_errors_total',
  'selfheal_kubernetes_api_errors_total',
  'selfheal_build_info',
] as const;

/** An answer that reports a failed dependency counts once for it: the Broker's redelivery counts again. */
export function countDependencyError(metrics: Metrics, error: { dependency: Dependency | undefined }): void {
  const dep = error.dependency;
  if (dep?.kind === 'redis') metrics.redisErrors.inc();
  else if (dep?.kind === 'kubernetes') metrics.kubernetesApiErrors.inc({ verb: dep.verb });
}
