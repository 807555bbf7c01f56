// Builds a check function's parts from its environment: rules, sink emitter, HTTP pool, CA bundle, lazy kube clients.
import { Agent } from 'undici';
import { configProblems } from '../config/env.ts';
import type { CheckEnv } from '../config/env.ts';
import { createEmitter } from '../emit/emitter.ts';
import { EventType } from '../events/types.ts';
import { createKubeClients } from '../kubernetes/client.ts';
import type { KubeClients } from '../kubernetes/client.ts';
import { kindsOf } from '../kinds/catalog.ts';
import type { CheckFunctionName } from '../kinds/kind.ts';
import type { Logger } from '../log/logger.ts';
import { loadCaBundle } from '../probes/tls-ca.ts';
import { loadRulesFile } from '../rules/load.ts';
import type { FunctionParts } from '../runtime/run-function.ts';
import { createCheckHandler } from './handler.ts';
import type { CheckDeps } from './handler.ts';

/** What tests (or another entry) may hand in instead of what the environment would build. */
export type CheckOverrides = Partial<Pick<CheckDeps, 'rules' | 'kube' | 'now' | 'emitter' | 'metrics'>>;

/** Memoises a successful build; a failed one is tried again on the next request. */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export async function checkFunctionParts(fn: CheckFunctionName, env: Readonly<CheckEnv>, log: Logger, overrides: CheckOverrides = {}): Promise<FunctionParts> {
  if (!env.K_SINK && !overrides.emitter) {
    throw configProblems([`K_SINK: ${fn} has nowhere to send its results; set it to the Broker URL (a SinkBinding does this in the cluster)`]);
  }
  const rules = overrides.rules ?? (await loadRulesFile(env.RULES_FILE));
  const ca = await loadCaBundle(env.EXTRA_CA_FILE);
  const http = new Agent({ keepAliveTimeout: 30_000, connections: 8, ...(ca ? { connect: { ca } } : {}) });
  const emitter =
    overrides.emitter ?? createEmitter({ sink: env.K_SINK!, logger: log, timeoutMs: env.SINK_TIMEOUT, retries: env.SINK_RETRIES });
  const kube = overrides.kube ?? lazy<KubeClients>(() => createKubeClients({ timeoutMs: env.KUBE_TIMEOUT }));
  const deps: CheckDeps = {
    rules,
    kube,
    emitter,
    now: overrides.now ?? (() => new Date()),
    http,
    ca,
    concurrency: env.PROBE_CONCURRENCY,
    deadlineMs: env.RUN_DEADLINE,
    metrics: overrides.metrics,
  };
  const own = rules.ofKinds(kindsOf(fn)).map((r) => r.name);
  log.info({ rules: own, source: rules.source }, 'rules loaded');
  return {
    handlers: { [EventType.ping]: createCheckHandler(fn, deps) },
    describe: (data) => ({ rules: (data as { rules: string[] }).rules.join(',') }),
    async close() {
      await Promise.allSettled([emitter.close(), http.close()]);
    },
  };
}
