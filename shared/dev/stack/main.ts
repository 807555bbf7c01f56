// `npm start`: the whole stack on this machine until Ctrl-C. Exit 0 on a clean stop, 1 when it cannot start, 2 on bad arguments.
import { kubernetesPreflight } from '../../kubernetes/preflight.ts';
import { createLogger } from '../../log/logger.ts';
import { watchParent } from '../../runtime/run-function.ts';
import { parseArgs, USAGE, UsageError } from './args.ts';
import type { StackArgs } from './args.ts';
import { logOutput } from './log-output.ts';
import { startStack } from './stack.ts';
import type { Stack } from './stack.ts';

async function main(): Promise<void> {
  let args: StackArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`selfheal stack: ${error.message} (npm start -- --help shows the options)\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const output = logOutput();
  const log = createLogger({ name: 'stack', level: process.env.LOG_LEVEL ?? 'info', destination: output });
  if (!args.simulate) {
    // Without a kubeconfig the client would quietly aim at localhost:8080, and an API server nobody answers at would
    // show only as "fetch failed" at each check: better to say which before starting anything.
    try {
      const api = await kubernetesPreflight();
      log.info({ server: api.server, kubeconfig: api.source }, `Kubernetes API server ${api.server} (${api.source})`);
    } catch (error) {
      log.fatal((error as Error).message);
      process.exitCode = 1;
      return;
    }
  }

  // Installed before starting, so a Ctrl-C during start-up still ends in a clean stop.
  let stack: Stack | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping (again to force)');
    if (!stack) return;
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `npm start` killed (its npm wrapper gone): the stack stops as on Ctrl-C, and its functions with it.
  watchParent(log, () => onSignal('SIGTERM'));

  try {
    // At high speed the ticks' own lines (every ping, every passing run) would bury what happens: the functions say
    // only what goes wrong, and the Broker's log of heal events and alerts tells the story.
    const quiet = args.speed > 2 && !process.env.LOG_LEVEL;
    stack = await startStack({
      simulate: args.simulate,
      speed: args.speed,
      ...(args.portBase === undefined ? {} : { portBase: args.portBase }),
      redisUrl: process.env.REDIS_URL || undefined,
      userEnv: process.env,
      ...(args.fresh ? { redisKeyPrefix: `selfheal-run-${Date.now().toString(36)}` } : {}),
      ...(quiet ? { functionLogLevel: 'warn', quietPings: true } : {}),
      output,
    });
  } catch (error) {
    log.fatal(`cannot start: ${(error as Error).message}`);
    process.exitCode = 1;
    // Handlers would keep nothing alive, but a late signal must not try to stop a stack that never was.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return;
  }
  if (stopping) {
    await stack.stop();
    process.exit(0);
  }
  log.info(
    { urls: stack.urls, broker: stack.router.url },
    args.simulate
      ? 'running against the simulated cluster; Ctrl-C stops everything'
      : 'running against the current kubeconfig cluster; Ctrl-C stops everything',
  );
}

await main();
