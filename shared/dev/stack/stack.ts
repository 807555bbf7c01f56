// The local stack: every function of knative/ as a child process on loopback, the router as their Broker, the
// PingSource schedules, Redis, and (when simulating) the simulated cluster; started and stopped as one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseDuration } from '../../config/duration.ts';
import { createLogger } from '../../log/logger.ts';
import type { Logger } from '../../log/logger.ts';
import { loadRulesFile } from '../../rules/load.ts';
import { redactUrl } from '../../store/redis-client.ts';
import { startFunctionProcess } from './function-process.ts';
import type { FunctionProcess } from './function-process.ts';
import { logOutput } from './log-output.ts';
import type { LogOutput } from './log-output.ts';
import { loadManifests } from './manifests.ts';
import type { FunctionService, PingSourceSpec } from './manifests.ts';
import { provideRedis } from './redis-server.ts';
import type { StackRedis } from './redis-server.ts';
import { podTable } from './pod-table.ts';
import { startRouter } from './router.ts';
import type { Router } from './router.ts';
import { startScheduler } from './scheduler.ts';
import { scaledEnv, writeScaledRules } from './speed.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimulatedWorld } from './simulated-world.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface StackOptions {
  /** Run against the built-in simulated cluster instead of the current kubeconfig's. */
  simulate: boolean;
  /** Schedule time runs this many times faster than real time (1 by default). */
  speed?: number;
  /** Undefined: the Redis on 127.0.0.1:6379, or a private redis-server. */
  redisUrl?: string | undefined;
  rulesFile?: string;
  /** PingSources to play instead of those in knative/. */
  pingSourcesFile?: string;
  knativeDir?: string;
  /** False: nothing fires on a schedule; the caller fires pings with router.fire(). */
  pingSchedules?: boolean;
  healerEnv?: Record<string, string>;
  /** Extra environment per function, by name. */
  env?: Readonly<Record<string, Record<string, string>>>;
  /** REDIS_KEY_PREFIX for every function (else the user's, else the manifests' own). */
  redisKeyPrefix?: string;
  /** The user's environment: where it sets a variable a function's manifest sets, it wins over the manifest
   *  (REDIS_KEY_PREFIX, BUDGET_MAX_ACTIONS, …); the stack's own wiring (HOST, PORT, K_SINK, RULES_FILE) stays. */
  userEnv?: Readonly<Record<string, string | undefined>>;
  logLevel?: string;
  /** The functions' LOG_LEVEL when it differs from logLevel (e.g. warn at high speed). */
  functionLogLevel?: string;
  /** The router logs each ping at debug instead of info. */
  quietPings?: boolean;
  /** Where log lines go (default: stdout, readable on a terminal, JSON otherwise). */
  output?: LogOutput;
  /** KUBECONFIG for the functions when not simulating (default: inherited). */
  kubeconfig?: string;
  /** How long stop() lets in-flight deliveries finish before it cuts them off. */
  drainMs?: number;
  /** Fixed ports: the router (the Broker) on portBase, the functions on the next ones in FIXED_PORT_ORDER. */
  portBase?: number;
}

/** With portBase, who listens where: stable addresses for curl examples. */
export const FIXED_PORT_ORDER = ['broker', 'check-pods', 'check-dependencies', 'check-egress', 'healer', 'proxy-selector'] as const;

function fixedPort(opts: StackOptions, name: string): { port: number } | Record<string, never> {
  const index = (FIXED_PORT_ORDER as readonly string[]).indexOf(name);
  return opts.portBase === undefined || index < 0 ? {} : { port: opts.portBase + index };
}

export interface Stack {
  /** Each function's base URL, by name. */
  readonly urls: Readonly<Record<string, string>>;
  readonly router: Router;
  readonly world: SimulatedWorld | undefined;
  readonly redisUrl: string;
  /** The REDIS_KEY_PREFIX every function uses. */
  readonly redisKeyPrefix: string;
  /** The rules file the functions read (a scaled copy at --speed other than 1). */
  readonly rulesFile: string;
  readonly logger: Logger;
  /** The PingSources played (those naming rules the rules file lacks are left out). */
  readonly pingSources: readonly PingSourceSpec[];
  /** Stops one function's process and starts it again on the same port. */
  restart(fn: string): Promise<void>;
  stop(): Promise<void>;
}

/** The rule names a PingSource's data asks for, when it is the {"rules": [...]} the check functions take. */
function rulesNamed(source: PingSourceSpec): string[] {
  try {
    const data = JSON.parse(source.data) as { rules?: unknown };
    return Array.isArray(data.rules) ? data.rules.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/** The user's values of the variables the manifest sets. */
function userOverrides(fn: FunctionService, opts: StackOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(fn.env)) {
    const value = opts.userEnv?.[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function functionEnv(fn: FunctionService, base: Record<string, string>, opts: StackOptions): Record<string, string> {
  const speed = opts.speed ?? 1;
  return {
    // The Knative Service's own settings first, so the local process runs as the deployed one does; rule time
    // scaled with --speed; then what the user set; then the stack's wiring.
    ...fn.env,
    ...(speed !== 1 && fn.name === 'healer' ? scaledEnv(fn.env, speed, HEALER_DURATION_DEFAULTS) : {}),
    ...userOverrides(fn, opts),
    ...base,
    K_SERVICE: fn.name,
    K_REVISION: `${fn.name}-local`,
    ...(fn.labels['selfheal.io/sink'] === 'broker' ? {} : { K_SINK: '' }),
    ...(fn.name === 'healer' ? (opts.healerEnv ?? {}) : {}),
    ...(opts.env?.[fn.name] ?? {}),
  };
}

/** The healer's defaults for the windows --speed scales, when its manifest leaves them out. */
const HEALER_DURATION_DEFAULTS = { BUDGET_WINDOW: 3_600_000 } as const;

/** The prefix every function uses: the caller's, else the user's REDIS_KEY_PREFIX, else the healer manifest's. A
 *  simulated stack that runs beside another (its pods not on 127.0.0.x) and was given no prefix adds its address
 *  block to the manifest's, so the two never share a unit's cooldown or ladder. */
function keyPrefix(opts: StackOptions, functions: readonly FunctionService[], world: SimulatedWorld | undefined): string {
  const chosen = opts.redisKeyPrefix || opts.userEnv?.REDIS_KEY_PREFIX;
  if (chosen) return chosen;
  const fromManifest = functions.find((f) => f.name === 'healer')?.env.REDIS_KEY_PREFIX || 'selfheal';
  const block = world?.addressBlock ?? 0;
  return block === 0 ? fromManifest : `${fromManifest}-${block}`;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const level = opts.logLevel ?? process.env.LOG_LEVEL ?? 'info';
  const output = opts.output ?? logOutput();
  // One logger per part, named as the functions are, so every line says who speaks.
  const named = (name: string): Logger => createLogger({ name, level, destination: output });
  const logger = named('stack');
  const knativeDir = opts.knativeDir ?? join(PROJECT_ROOT, 'knative');
  const rulesFile = resolve(opts.rulesFile ?? join(knativeDir, 'rules.yaml'));
  const manifests = await loadManifests(knativeDir, { pingSourcesFile: opts.pingSourcesFile });
  const rules = await loadRulesFile(rulesFile);
  const pingSources = manifests.pingSources.filter((p) => {
    const missing = rulesNamed(p).filter((r) => !rules.get(r));
    if (missing.length > 0) logger.warn({ pingSource: p.name, missing, rulesFile }, `PingSource ${p.name} left out: the rules file has no rule ${missing.join(', ')}`);
    return missing.length === 0;
  });

  let prefix = keyPrefix(opts, manifests.functions, undefined);
  const speed = opts.speed ?? 1;

  const cleanup: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'cleanup failed'));
  };
  const procs = new Map<string, FunctionProcess>();
  let redis: StackRedis;
  let world: SimulatedWorld | undefined;
  let router: Router;
  let scheduler: Scheduler | undefined;
  let functionRules = rulesFile;
  try {
    if (speed !== 1) {
      const dir = await mkdtemp(join(tmpdir(), 'selfheal-speed-'));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      functionRules = await writeScaledRules(rulesFile, speed, dir);
    }
    redis = await provideRedis({ url: opts.redisUrl, logger });
    cleanup.push(() => redis.stop());
    if (opts.simulate) {
      // Imported here: the simulator brings the Kubernetes client and the test targets, which a real run never needs.
      const { startSimulatedWorld } = await import('./simulated-world.ts');
      const w = await startSimulatedWorld({ logger: named('simulator') });
      world = w;
      cleanup.push(() => w.close());
      prefix = keyPrefix(opts, manifests.functions, w);
    }
    const r = await startRouter({
      triggers: manifests.triggers,
      pingSources,
      resolve: (name) => procs.get(name)?.url,
      logger: named('router'),
      ...fixedPort(opts, 'broker'),
      ...(world ? { pods: () => world!.allPods() } : {}),
      ...(opts.quietPings ? { quietPings: true } : {}),
    });
    router = r;
    cleanup.push(() => r.close());
    logger.info({ url: router.url, triggers: manifests.triggers.map((t) => t.name) }, 'router (the Broker) listening');

    const base: Record<string, string> = {
      HOST: '127.0.0.1',
      RULES_FILE: functionRules,
      LOG_LEVEL: opts.functionLogLevel ?? level,
      // The stack reads its children's lines as JSON and formats them itself.
      LOG_FORMAT: 'json',
      K_SINK: router.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      ...(world ? { KUBECONFIG: world.kubeconfigPath, EXTRA_CA_FILE: world.caFile } : opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {}),
    };
    const started = await Promise.allSettled(
      manifests.functions.map(async (fn) => {
        const env = functionEnv(fn, base, opts);
        const proc = await startFunctionProcess({
          name: fn.name,
          entry: join(PROJECT_ROOT, fn.entry),
          cwd: PROJECT_ROOT,
          env,
          output,
          logger: named(fn.name),
          ...fixedPort(opts, fn.name),
          killAfterMs: (parseDuration(env.SHUTDOWN_GRACE ?? '') ?? 25_000) + 5_000,
        });
        procs.set(fn.name, proc);
        cleanup.push(() => proc.stop());
      }),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (opts.pingSchedules !== false) {
      const s = startScheduler({ pingSources, speed, fire: (name) => r.firePing(name), logger: named('pingsource') });
      scheduler = s;
      cleanup.push(async () => s.stop());
    }
  } catch (error) {
    await undo();
    throw error;
  }

  const urls = Object.freeze(Object.fromEntries([...procs].map(([name, p]) => [name, p.url])));
  // A password in REDIS_URL stays out of the log; the CLI commands below then show **** where it goes.
  const shownRedis = redactUrl(redis.url);
  logger.info({ functions: urls, broker: router.url, redis: shownRedis, prefix, simulate: opts.simulate, speed }, 'stack ready');
  logger.info(
    { redis: shownRedis, prefix },
    `history in Redis under the prefix ${prefix}: npx selfheal units --redis ${shownRedis} --prefix ${prefix}; ` +
      `clear it with npx selfheal reset --redis ${shownRedis} --prefix ${prefix}` +
      (speed === 1 ? '' : ` (rule durations divided by ${speed}: ${functionRules})`),
  );
  if (world) logger.info({ podsUrl: `${router.url}/pods` }, `simulated pods (list them again: curl ${router.url}/pods):\n${podTable(world.allPods())}`);
  const drainMs = opts.drainMs ?? 10_000;
  let stopped: Promise<void> | undefined;
  return {
    urls,
    router,
    world,
    redisUrl: redis.url,
    redisKeyPrefix: prefix,
    rulesFile: functionRules,
    logger,
    pingSources,
    async restart(fn) {
      const proc = procs.get(fn);
      if (!proc) throw new Error(`no function "${fn}" (there are ${[...procs.keys()].join(', ')})`);
      logger.info({ function: fn }, 'restarting');
      await proc.restart();
    },
    stop() {
      stopped ??= (async () => {
        logger.info('stopping');
        scheduler?.stop();
        // Let the cascade in flight finish (its results reach the healer), but retry nothing and not forever.
        await router.drain(drainMs);
        await router.close();
        await Promise.all([...procs.values()].map((p) => p.stop()));
        await world?.close();
        await redis.stop();
        if (functionRules !== rulesFile) await rm(dirname(functionRules), { recursive: true, force: true });
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}
