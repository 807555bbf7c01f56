#!/usr/bin/env node
// The selfheal command: reads the healer's Redis history, sets pauses and checks rules files, for people (tables)
// or programs (--json).
import { parseArgs, USAGE } from './args.ts';
import { runCommand } from './commands.ts';
import type { Outcome } from './commands.ts';
import { openRedis } from './connect.ts';
import { runRulesCommand } from './rules-command.ts';

function print(outcome: Outcome): number {
  process.stdout.write(outcome.stdout);
  process.stderr.write(outcome.stderr);
  return outcome.code;
}

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
  const { rules } = parsed.request;
  // Rules files are read from disk: no Redis needed, so it can run in CI or before a deploy.
  if (rules) return print(await runRulesCommand({ ...rules, json: parsed.request.json }));
  const redis = await openRedis(parsed.request.redisUrl);
  try {
    return print(await runCommand(parsed.request, redis));
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
