// Builds the healer's dependencies from its environment: rules, Redis, a lazy Kubernetes client, the alert sink.
import { Agent } from 'undici';
import { healerEnvSchema } from '../../shared/config/env.ts';
import { loadCaBundle } from '../../shared/probes/tls-ca.ts';
import type { HealerEnv } from '../../shared/config/env.ts';
import { createEmitter } from '../../shared/emit/emitter.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import type { KubeClients } from '../../shared/kubernetes/client.ts';
import type { Logger } from '../../shared/log/logger.ts';
import { loadRulesFile } from '../../shared/rules/load.ts';
import type { RuleSet } from '../../shared/rules/load.ts';
import { HistoryStore } from '../../shared/store/history-store.ts';
import { moveEarlierFailingSets } from '../../shared/store/earlier-failing-sets.ts';
import type { FailingWindows } from '../../shared/store/earlier-failing-sets.ts';
import { failingUntil } from '../../shared/healing/target-plan.ts';
import { connectRedis, createRedis } from '../../shared/store/redis-client.ts';
import { redisReadiness } from '../../shared/store/redis-readiness.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';
import type { Metrics } from '../../shared/metrics/metrics.ts';
import type { HealerConfig } from './deps.ts';
import { healerParts } from './handler.ts';
import { createEventRecorder, reportingInstance } from './kube-events.ts';

export { healerEnvSchema };

export function healerConfig(env: HealerEnv, rules: RuleSet): HealerConfig {
  const allowed = env.ALLOWED_NAMESPACES.length > 0 ? env.ALLOWED_NAMESPACES : rules.rules.map((r) => r.namespace);
  return Object.freeze({
    dryRun: env.DRY_RUN,
    allowedNamespaces: new Set(allowed),
    optInLabel: env.OPT_IN_LABEL,
    budgetMax: env.BUDGET_MAX_ACTIONS,
    budgetWindowMs: env.BUDGET_WINDOW,
    maxRestartShare: env.MAX_RESTART_SHARE,
    actionLeaseMs: env.ACTION_LEASE,
    alertTimeoutMs: env.SINK_TIMEOUT,
    webhookUrl: env.ALERT_WEBHOOK_URL,
    alertmanagerUrl: env.ALERTMANAGER_URL,
    maxClockSkewMs: env.MAX_CLOCK_SKEW,
    maxResultAgeMs: env.MAX_RESULT_AGE,
  });
}

export function storeLimits(env: HealerEnv) {
  return { historyMaxLen: env.HISTORY_MAX_LEN, globalMaxLen: env.HISTORY_MAX_LEN * 10, targetTtlMs: env.TARGET_TTL, dedupeTtlMs: env.DEDUPE_TTL };
}

/** Until when a failure of each rule counts, for failing sets an earlier version recorded. */
export function failingWindows(rules: RuleSet): FailingWindows {
  return {
    until(rule, at) {
      const r = rules.get(rule);
      return r && 'verifyWindow' in r && 'cooldown' in r ? failingUntil(r, at) : undefined;
    },
  };
}

export async function buildHealer(env: Readonly<HealerEnv>, log: Logger, opts: { now?: () => number; metrics?: Metrics } = {}): Promise<FunctionParts> {
  const rules = await loadRulesFile(env.RULES_FILE);
  const redis = createRedis({ url: env.REDIS_URL, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT, connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT, logger: log });
  await connectRedis(redis, { url: env.REDIS_URL, timeoutMs: env.REDIS_CONNECT_TIMEOUT });
  // After Redis: a start that fails there leaves no pool open.
  const ca = await loadCaBundle(env.EXTRA_CA_FILE);
  // A few connections: the healer probes a pod only to confirm a failure before restarting it.
  const http = new Agent({ keepAliveTimeout: 10_000, connections: 4, ...(ca ? { connect: { ca } } : {}) });
  const store = new HistoryStore(redis, env.REDIS_KEY_PREFIX, storeLimits(env));
  const moved = await moveEarlierFailingSets(redis, store.keys, failingWindows(rules), (opts.now ?? Date.now)());
  if (moved > 0) log.info({ moved }, 'failing sets of an earlier version moved to scored sets');
  let kube: Promise<KubeClients> | undefined;
  const lazyKube = () =>
    (kube ??= createKubeClients({ timeoutMs: env.KUBE_TIMEOUT }).catch((error: unknown) => {
      kube = undefined;
      throw error;
    }));
  const now = opts.now ?? Date.now;
  const emitter = env.K_SINK ? createEmitter({ sink: env.K_SINK, logger: log, timeoutMs: env.SINK_TIMEOUT, retries: env.SINK_RETRIES }) : undefined;
  log.info({ rules: rules.rules.length, dryRun: env.DRY_RUN, sink: env.K_SINK ?? null }, 'healer configured');
  const parts = healerParts(
    {
      rules,
      store,
      kube: lazyKube,
      emitter,
      config: healerConfig(env, rules),
      now,
      probes: { http, ca },
      metrics: opts.metrics,
      events: createEventRecorder({ kube: lazyKube, instance: reportingInstance(), now }),
    },
    {
      close: async () => {
        await Promise.allSettled([emitter?.close(), http.close()]);
        redis.disconnect();
      },
    },
  );
  return { ...parts, ready: redisReadiness(redis) };
}
