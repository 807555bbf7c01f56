// selfheal reset: every key under one prefix deleted (history, state, budgets, pauses), once a person said yes or
// the script said --yes. Keys of other prefixes are never touched: the pattern is the prefix's hash tag.
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { createKeys } from '../store/keys.ts';
import type { CliRequest } from './args.ts';
import type { Outcome } from './commands.ts';

/** Asks `question` on stderr and reads one line from stdin; undefined when stdin ends first. */
export type Ask = (question: string) => Promise<string | undefined>;

export const askOnTerminal: Ask = (question) =>
  new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.once('close', () => {
      if (!answered) {
        process.stderr.write('\n');
        resolve(undefined);
      }
    });
  });

async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const k of batch) found.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...found];
}

export async function runReset(req: CliRequest, redis: Redis, ask: Ask): Promise<Outcome> {
  // The prefix's characters are letters, digits, "_", "." and "-" (args.ts): no glob character to escape.
  const pattern = `${createKeys(req.prefix).prefix}:*`;
  const keys = await keysUnder(redis, pattern);
  if (keys.length === 0) return { stdout: `no keys under ${pattern}\n`, stderr: '', code: 0 };
  if (!req.yes) {
    const answer = await ask(`delete ${keys.length} keys under ${pattern}? [y/N] `);
    if (!/^y(es)?$/i.test(answer?.trim() ?? '')) return { stdout: '', stderr: 'nothing deleted\n', code: 1 };
  }
  let deleted = 0;
  // UNLINK frees memory off the main thread; in batches so one call never carries a huge argument list.
  for (let i = 0; i < keys.length; i += 500) deleted += await redis.unlink(...keys.slice(i, i + 500));
  return { stdout: `deleted ${deleted} keys under ${pattern}\n`, stderr: '', code: 0 };
}
