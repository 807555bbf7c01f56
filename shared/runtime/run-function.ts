// The process around a function: parse the environment, build the parts, listen, and stop cleanly on SIGTERM.
import type { z } from 'zod';
import { parseEnv } from '../config/env.ts';
import { Problems } from '../config/problems.ts';
import { KubeconfigProblem } from '../kubernetes/preflight.ts';
import type { BaseEnv } from '../config/env.ts';
import { createFunctionServer } from '../http/function-server.ts';
import type { EventHandler, FunctionServer, Route } from '../http/function-server.ts';
import { createLogger } from '../log/logger.ts';
import type { Logger } from '../log/logger.ts';
import { countDependencyError, createMetrics } from '../metrics/metrics.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface FunctionParts {
  handlers: Record<string, EventHandler>;
  routes?: Route[];
  ready?: () => boolean | Promise<boolean>;
  describe?: (data: unknown) => { rule?: string; rules?: string; target?: string };
  /** For a function that takes no CloudEvents: what to ask it instead (proxy-selector: GET /groups/<group>). */
  usage?: string;
  /** Releases what setup opened (Redis, pools), after the last in-flight request has been answered. */
  close?: () => Promise<void>;
}

export interface RunningFunction {
  url: string;
  port: number;
  server: FunctionServer;
  log: Logger;
  metrics: Metrics;
  /** Stop accepting, finish in-flight requests, close resources. */
  stop(): Promise<void>;
}

export async function startFunction<S extends z.ZodType<BaseEnv>>(opts: {
  name: string;
  env: Readonly<z.infer<S>>;
  logger?: Logger;
  setup: (env: Readonly<z.infer<S>>, log: Logger, metrics: Metrics) => Promise<FunctionParts>;
  /** After setup (which reports its own problems first, e.g. Redis), before listening. */
  preflight?: () => Promise<unknown>;
}): Promise<RunningFunction> {
  const env = opts.env;
  const log = opts.logger ?? createLogger({ name: opts.name, level: env.LOG_LEVEL });
  // One registry per function, so that tests may start several functions in one process.
  const metrics = createMetrics();
  const parts = await opts.setup(env, log, metrics);
  try {
    await opts.preflight?.();
  } catch (error) {
    await parts.close?.();
    throw error;
  }
  const server = createFunctionServer({
    name: opts.name,
    logger: log,
    handlers: parts.handlers,
    routes: parts.routes ?? [],
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    metrics: metrics.registry,
    observeError: (error) => countDependencyError(metrics, error),
    ...(parts.ready ? { ready: parts.ready } : {}),
    ...(parts.describe ? { describe: parts.describe } : {}),
    ...(parts.usage ? { usage: parts.usage } : {}),
  });
  let listening: { url: string; port: number; host: string };
  try {
    listening = await server.listen(env.PORT, env.HOST);
  } catch (error) {
    // Setup may have opened Redis or a pool: a port already taken must not leave the process hanging on them.
    await parts.close?.();
    throw error;
  }
  const { url, port, host } = listening;
  // The address it is bound to (0.0.0.0: every interface), and a URL that reaches it from this machine.
  log.info({ url, address: `${host.includes(':') ? `[${host}]` : host}:${port}` }, 'listening');
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    log,
    metrics,
    stop() {
      stopped ??= (async () => {
        await server.stop(env.SHUTDOWN_GRACE);
        await parts.close?.();
        log.info('stopped');
      })();
      return stopped;
    },
  };
}

/** Entry point of a deployed function: configuration errors exit 1 with every problem listed, SIGTERM exits 0. */
export async function runFunction<S extends z.ZodType<BaseEnv>>(opts: {
  name: string;
  envSchema: S;
  /** Checked after setup, before listening: what the function cannot work without and setup would not notice (the
   *  API server, whose client is imported on first use). */
  preflight?: () => Promise<unknown>;
  setup: (env: Readonly<z.infer<S>>, log: Logger, metrics: Metrics) => Promise<FunctionParts>;
}): Promise<void> {
  let env: Readonly<z.infer<S>>;
  // The boot logger cannot trust LOG_LEVEL yet: it is one of the values being checked.
  const bootLog = createLogger({ name: opts.name, level: 'info' });
  try {
    env = parseEnv(opts.envSchema);
  } catch (error) {
    bootLog.fatal((error as Error).message);
    process.exitCode = 1;
    return;
  }
  let running: RunningFunction;
  try {
    running = await startFunction({ name: opts.name, env, setup: opts.setup, ...(opts.preflight ? { preflight: opts.preflight } : {}) });
  } catch (error) {
    // Setup releases what it opened when it fails, so the process ends by itself; should a handle stay open anyway, a
    // function that never listens must still not live on, so the exit is forced shortly after.
    // What the operator must fix (a rules file, the environment, a missing kubeconfig) is said once, in the message; a
    // stack trace only for what nobody foresaw.
    if (error instanceof Problems || error instanceof KubeconfigProblem) bootLog.fatal(`cannot start: ${error.message}`);
    else bootLog.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 1_000).unref();
    return;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    running.log.info({ signal, inFlight: running.server.inFlight }, 'stopping: finishing in-flight requests');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        running.log.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  watchParent(running.log, () => onSignal('SIGTERM'));
}

/** Started by a wrapper (npx, npm, the local stack), the function goes when the wrapper goes, even by SIGKILL: it is
 *  then re-parented (its ppid changes) and would otherwise live on, holding its port. As PID 1 in a container, or
 *  started by init, the ppid never changes and nothing is watched. */
export function watchParent(log: Logger, stop: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    log.warn({ parent }, 'parent process gone: stopping');
    stop();
  }, 1_000);
  timer.unref();
}
