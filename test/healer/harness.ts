// A healer on loopback with real Redis, the Kubernetes API simulator and a recording sink; the clock is the test's.
import type { TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { parseEnv, healerEnvSchema } from '../../shared/config/env.ts';
import { createEmitter } from '../../shared/emit/emitter.ts';
import type { CheckResult, Target } from '../../shared/events/schemas.ts';
import { EventType } from '../../shared/events/types.ts';
import { createKubeClients } from '../../shared/kubernetes/client.ts';
import { createLogger } from '../../shared/log/logger.ts';
import { parseRulesYaml } from '../../shared/rules/load.ts';
import type { RuleSet } from '../../shared/rules/load.ts';
import { startFunction } from '../../shared/runtime/run-function.ts';
import type { RunningFunction } from '../../shared/runtime/run-function.ts';
import { HistoryStore } from '../../shared/store/history-store.ts';
import { createRedis, connectRedis } from '../../shared/store/redis-client.ts';
import { failingWindows, healerConfig, storeLimits } from '../../functions/healer/wiring.ts';
import { moveEarlierFailingSets } from '../../shared/store/earlier-failing-sets.ts';
import { healerParts } from '../../functions/healer/handler.ts';
import { createEventRecorder } from '../../functions/healer/kube-events.ts';
import type { HealerConfig } from '../../functions/healer/deps.ts';
import { startKubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import type { KubeSimulator } from '../../shared/dev/kube-sim/index.ts';
import { assertHealerOutput } from '../support/healer-output.ts';
import { postBinary } from '../support/http.ts';
import type { Answer } from '../support/http.ts';
import { useRedis } from '../support/redis.ts';
import type { TestRedis } from '../support/redis.ts';
import { startSink } from '../support/sink.ts';
import type { Sink } from '../support/sink.ts';

export const OPT_IN = { 'selfheal.io/enabled': 'true' };
export const T0 = Date.parse('2026-11-23T12:00:00.000Z');

export const RULES = `
rules:
  - name: web-http
    kind: http
    namespace: shop
    labelSelector: app=web
    port: 8080
    failureThreshold: 3
    successThreshold: 2
    cooldown: 60s
    verifyWindow: 30s
    actions: [restart, scale, alert]
    scale: { step: 1, max: 4 }
    dependsOn: [shop-deps]
  - name: shop-deps
    kind: dependency
    namespace: shop
    services: [db]
    failureThreshold: 2
    cooldown: 60s
  - name: dry-http
    kind: http
    namespace: shop
    labelSelector: app=dry
    port: 8080
    failureThreshold: 1
    dryRun: true
  - name: outside-http
    kind: http
    namespace: elsewhere
    labelSelector: app=web
    port: 8080
    failureThreshold: 1
  - name: squid-egress
    kind: egress
    namespace: proxy
    service: squid
    proxies:
      primary: { selector: { app: squid, role: primary }, port: 3128 }
      secondary: { selector: { app: squid, role: secondary }, port: 3128 }
    urls: [http://example.com/]
    failureThreshold: 2
    successThreshold: 3
    cooldown: 0
    actions: [switch-proxy, alert]
`;

export interface Harness {
  redis: TestRedis;
  client: Redis;
  sim: KubeSimulator;
  sink: Sink;
  rules: RuleSet;
  healer: RunningFunction;
  store: HistoryStore;
  clock: { now: number };
  prefix: string;
  config: HealerConfig;
  send(result: CheckResult, opts?: { id?: string; source?: string; type?: string }): Promise<Answer>;
  podsOf(namespace: string, app: string): string[];
  evictions(): number;
  close(): Promise<void>;
}

export function podTarget(namespace: string, name: string, workload = 'web'): Target {
  return { namespace, kind: 'Pod', name, workload: { kind: 'Deployment', name: workload } };
}

let seq = 0;
export function result(rule: string, ruleKind: CheckResult['ruleKind'], target: Target, outcome: 'passed' | 'failed', observedAt: number, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    rule,
    ruleKind,
    outcome,
    target,
    probe: { latencyMs: 3, ...(outcome === 'failed' ? { status: 500, error: 'status 500' } : { status: 200 }) },
    observedAt: new Date(observedAt).toISOString(),
    runId: `run-${++seq}`,
    ...extra,
  };
}

export async function startHarness(t: TestContext, opts: {
    env?: Record<string, string>;
    redis?: TestRedis;
    rules?: string;
    kubeTimeoutMs?: number;
    /** Writes to Redis before the healer starts, as an earlier version would have left it. */
    before?: (client: Redis, keyPrefix: string) => Promise<void>;
    logLines?: string[];
  } = {},
): Promise<Harness> {
  // Rules first: a bad rules file must fail the test before anything is started that would keep it running.
  const rules = parseRulesYaml(opts.rules ?? RULES, 'test-rules.yaml');
  // The same for bad settings.
  parseEnv(healerEnvSchema, { PORT: '0', ...opts.env });
  const redis = opts.redis ?? (await useRedis());
  const prefix = `${redis.prefix}-${randomUUID().slice(0, 8)}`;
  const sim = await startKubeSimulator();
  const sink = await startSink();
  const env = parseEnv(healerEnvSchema, { PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, K_SINK: sink.url, REDIS_COMMAND_TIMEOUT: '1s', ...opts.env });
  const log = opts.logLines
    ? createLogger({ name: 'healer', level: 'debug', destination: { write: (line: string) => void opts.logLines!.push(line) } })
    : createLogger({ name: 'healer', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const redisClient = createRedis({ url: redis.url, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT, logger: log });
  await connectRedis(redisClient, { url: redis.url, timeoutMs: 5_000 });
  const store = new HistoryStore(redisClient, prefix, storeLimits(env));
  const kube = await createKubeClients({ config: sim.kubeConfig(), timeoutMs: opts.kubeTimeoutMs ?? 5_000 });
  const emitter = createEmitter({ sink: sink.url, logger: log, retries: 0 });
  const clock = { now: T0 };
  const probeHttp = new Agent({ keepAliveTimeout: 1_000 });
  const config = healerConfig(env, rules);
  if (opts.before) {
    const seeder = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await opts.before(seeder, `{${prefix}}`);
    } finally {
      seeder.disconnect();
    }
  }
  // What buildHealer does at start besides.
  await moveEarlierFailingSets(redisClient, store.keys, failingWindows(rules), clock.now);
  const healer = await startFunction({
    name: 'healer',
    env,
    logger: log,
    setup: async (_env, _log, metrics) =>
      healerParts(
        {
          rules,
          store,
          kube: async () => kube,
          emitter,
          config,
          now: () => clock.now,
          probes: { http: probeHttp, ca: undefined },
          metrics,
          events: createEventRecorder({ kube: async () => kube, instance: 'healer-test-0', now: () => clock.now, timeoutMs: 1_000 }),
        },
        { ready: () => redisClient.status === 'ready', close: async () => { await Promise.all([emitter.close(), probeHttp.close()]); redisClient.disconnect(); } },
      ),
  });
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const h: Harness = {
    redis,
    client,
    sim,
    sink,
    rules,
    healer,
    store,
    clock,
    prefix,
    config,
    async send(r, o = {}) {
      const seen = sink.events.length;
      const answer = await postBinary(
        healer.url,
        { id: o.id ?? randomUUID(), type: o.type ?? (r.outcome === 'failed' ? EventType.checkFailed : EventType.checkPassed), source: o.source ?? `/selfheal/check-pods/${r.rule}` },
        r,
      );
      // Every reply and every event sent on the side (alerts, switches) must fit the healer's output contract.
      const type = answer.headers['ce-type'];
      if (answer.status < 300 && typeof type === 'string') assertHealerOutput(type, answer.json());
      for (const event of sink.events.slice(seen)) assertHealerOutput(event.type, event.data);
      return answer;
    },
    podsOf: (namespace, app) => sim.listPods(namespace, { app }).map((p) => p.metadata!.name!),
    evictions: () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/eviction') && r.status < 300).length,
    async close() {
      await healer.stop();
      client.disconnect();
      await sink.close();
      await sim.close();
      if (!opts.redis) await redis.close();
    },
  };
  t.after(() => h.close());
  return h;
}

/** A deployment in the simulator with the opt-in label on its pods (unless told otherwise). */
export async function deploy(h: Harness, namespace: string, name: string, replicas: number, labels: Record<string, string> = { app: name, ...OPT_IN }): Promise<string[]> {
  await h.sim.createDeployment({ namespace, name, replicas, podLabels: labels, containers: [{ name: 'app', ports: [8080] }] });
  return h.sim.listPods(namespace, { app: labels.app ?? name }).map((p) => p.metadata!.name!);
}

export function dataOf(answer: Answer): Record<string, unknown> {
  return answer.json() as Record<string, unknown>;
}
