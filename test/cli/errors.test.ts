// The CLI's expected failures: one line and an exit code, never a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, useRedis } from '../support/redis.ts';
import { runCli } from './run-cli.ts';

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

test('Redis unreachable: one line naming the URL, exit 1', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const started = Date.now();
  const run = await runCli(['targets', '--redis', url]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, new RegExp(`^selfheal: cannot reach Redis at ${url}: .*ECONNREFUSED.*\\n$`));
  noStack(run.stderr);
  assert.ok(Date.now() - started < 10_000, 'fails fast instead of retrying');
});

test('the URL from REDIS_URL is named too, without its password', async () => {
  const url = `redis://:secret@127.0.0.1:${await freePort()}`;
  const run = await runCli(['units'], { REDIS_URL: url });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^selfheal: cannot reach Redis at redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+: /);
  assert.doesNotMatch(run.stderr, /secret/);
});

test('usage errors: the problem and the usage on stderr, exit 2', async () => {
  for (const [args, problem] of [
    [['frobnicate'], 'unknown command "frobnicate"'],
    [[], 'no command given'],
    [['targets', '--colour'], 'unknown option --colour'],
    [['stats', '--limit', '3'], 'option --limit does not apply to stats'],
    [['history', '--limit', 'lots'], '--limit must be a whole number from 1 to 10000 (got lots)'],
    [['targets', '--redis', 'http://x'], '--redis must start with redis:// or rediss://'],
  ] as const) {
    const run = await runCli(args);
    assert.equal(run.code, 2, args.join(' '));
    assert.equal(run.stdout, '');
    assert.ok(run.stderr.startsWith(`selfheal: ${problem}`), run.stderr);
    assert.match(run.stderr, /Usage: selfheal <command>/);
    noStack(run.stderr);
  }
});

test('--help prints the usage on stdout, exit 0', async () => {
  const run = await runCli(['--help']);
  assert.deepEqual([run.code, run.stderr], [0, '']);
  assert.match(run.stdout, /^Usage: selfheal <command> \[options\]/);
});

test('an empty Redis: a sentence per listing, [] in JSON, exit 0', async (t) => {
  const redis = await useRedis();
  t.after(() => redis.close());
  const base = ['--redis', redis.url, '--prefix', `${redis.prefix}-empty`];
  const targets = await runCli(['targets', ...base]);
  assert.deepEqual([targets.code, targets.stdout], [0, `no targets under {${redis.prefix}-empty}:targets\n`]);
  for (const command of ['targets', 'units', 'proxies', 'stats']) {
    const run = await runCli([command, '--json', ...base]);
    assert.deepEqual([run.code, JSON.parse(run.stdout)], [0, []], command);
  }
  const events = await runCli(['history', ...base]);
  assert.deepEqual([events.code, events.stdout], [0, `no events in {${redis.prefix}-empty}:events\n`]);
});
