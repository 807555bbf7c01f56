#!/usr/bin/env node
// npm run demo: selfheal healing a simulated cluster, printed as a timeline; exits non-zero naming a failed step.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { logOutput } from '../stack/log-output.ts';
import { PROJECT_ROOT, startStack } from '../stack/stack.ts';
import { createKeys } from '../../store/keys.ts';
import { cascadeGuard, escalation, healthyStart, proxyFailover, restartHeals, squidCheck, StepFailed } from './scenarios.ts';
import type { DemoContext } from './scenarios.ts';
import { createTimeline } from './timeline.ts';

const prefix = `selfheal-demo-${Date.now().toString(36)}`;
const timeline = createTimeline();
timeline.say('Starting the local stack on a simulated cluster (functions, router, Redis)…');
const stack = await startStack({
  simulate: true,
  pingSchedules: false,
  rulesFile: `${PROJECT_ROOT}/shared/dev/demo/rules.yaml`,
  redisKeyPrefix: prefix,
  // Demo history expires after an hour: the demo leaves nothing behind in a shared Redis.
  healerEnv: { TARGET_TTL: '1h', DEDUPE_TTL: '1h' },
  logLevel: process.env.LOG_LEVEL ?? 'warn',
  // The demo is a story for people, in a terminal, a file or a CI log alike: its log lines are readable lines too.
  output: logOutput(process.stderr, process.env.LOG_FORMAT !== 'json'),
});
const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
const ctx: DemoContext = { stack, world: stack.world!, redis, keys: createKeys(prefix), timeline };
let code = 0;
try {
  for (const step of [healthyStart, restartHeals, escalation, proxyFailover, squidCheck, cascadeGuard]) await step(ctx);
  timeline.say('Step 5: the history, as the CLI shows it:');
  for (const args of [['units'], ['stats'], ['proxies']]) {
    const cli = spawnSync(process.execPath, [`${PROJECT_ROOT}/shared/cli/main.ts`, ...args, '--redis', stack.redisUrl, '--prefix', prefix], { encoding: 'utf8' });
    process.stdout.write(`\n$ selfheal ${args.join(' ')}\n${cli.stdout}`);
    if (cli.status !== 0) throw new StepFailed('5 history', `selfheal ${args.join(' ')} exited ${cli.status}: ${cli.stderr}`);
  }
  timeline.say(`Every step happened as expected. Look around: npx selfheal units --redis ${stack.redisUrl} --prefix ${prefix}`);
} catch (error) {
  code = 1;
  timeline.say(error instanceof StepFailed ? error.message : `demo failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  redis.disconnect();
  await stack.stop();
}
process.exit(code);
