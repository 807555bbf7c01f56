#!/usr/bin/env node
// The selfheal command: reads the healer's Redis history and prints it for people (tables) or programs (--json).
import { parseArgs, USAGE } from './args.ts';
import { runCommand } from './commands.ts';
import { openRedis } from './connect.ts';

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2), process.env, Date.now());
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    process.stderr.write(`selfheal: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const redis = await openRedis(parsed.request.redisUrl);
  try {
    const outcome = await runCommand(parsed.request, redis);
    process.stdout.write(outcome.stdout);
    process.stderr.write(outcome.stderr);
    return outcome.code;
  } finally {
    redis.disconnect();
  }
}

// Expected failures (Redis away, a command refused) are one line; the exit code lets scripts tell them apart.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`selfheal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
