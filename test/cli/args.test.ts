import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMIT, parseArgs } from '../../shared/cli/args.ts';
import type { Parsed } from '../../shared/cli/args.ts';

const CLOCK = Date.parse('2026-11-23T12:00:00Z');
const parse = (argv: string[], env: Record<string, string> = {}) => parseArgs(argv, env, CLOCK);

function request(parsed: Parsed) {
  assert.equal(parsed.kind, 'run', JSON.stringify(parsed));
  return (parsed as Extract<Parsed, { kind: 'run' }>).request;
}

test('defaults: local Redis, prefix selfheal, tables, the clock, 20 entries', () => {
  assert.deepEqual(request(parse(['targets'])), { command: 'targets', redisUrl: 'redis://127.0.0.1:6379', prefix: 'selfheal', json: false, now: CLOCK, limit: DEFAULT_LIMIT });
});

test('REDIS_URL and REDIS_KEY_PREFIX are used unless options override them; empty ones count as unset', () => {
  const env = { REDIS_URL: 'redis://env:6379', REDIS_KEY_PREFIX: 'prod' };
  assert.deepEqual([request(parse(['units'], env)).redisUrl, request(parse(['units'], env)).prefix], ['redis://env:6379', 'prod']);
  const given = request(parse(['units', '--redis', 'rediss://opt:6380', '--prefix=stage'], env));
  assert.deepEqual([given.redisUrl, given.prefix], ['rediss://opt:6380', 'stage']);
  assert.equal(request(parse(['units'], { REDIS_URL: '', REDIS_KEY_PREFIX: '' })).prefix, 'selfheal');
});

test('options go before or after the command, as --name value or --name=value', () => {
  const a = request(parse(['--json', 'history', '--limit', '5', 'shop/Pod/web-1', '--rule=web-http']));
  assert.deepEqual([a.command, a.json, a.limit, a.target, a.rule], ['history', true, 5, 'shop/Pod/web-1', 'web-http']);
  const b = request(parse(['targets', '--namespace', 'shop', '--now', '2026-11-24T00:00:00Z']));
  assert.deepEqual([b.namespace, b.now], ['shop', Date.parse('2026-11-24T00:00:00Z')]);
});

test('help wins over everything else', () => {
  for (const argv of [['--help'], ['-h'], ['help'], ['targets', '--help'], ['bogus', '-h']]) assert.deepEqual(parse(argv), { kind: 'help' }, argv.join(' '));
});

test('each mistake is a usage error naming it', () => {
  const cases: Array<[string[], string, Record<string, string>?]> = [
    [[], 'no command given'],
    [['nope'], 'unknown command "nope"'],
    [['targets', '--verbose'], 'unknown option --verbose'],
    [['targets', '-v'], 'unknown option -v'],
    [['targets', '--rule'], 'option --rule needs a value'],
    [['targets', '--rule='], 'option --rule needs a value'],
    [['targets', '--rule', 'a', '--rule', 'b'], 'option --rule given twice'],
    [['proxies', '--rule', 'a'], 'option --rule does not apply to proxies'],
    [['targets', '--limit', '3'], 'option --limit does not apply to targets'],
    [['targets', 'extra'], 'unexpected argument "extra"'],
    [['history', 'a', 'b'], 'unexpected argument "b"'],
    [['history', '--limit', '0'], '--limit must be a whole number from 1 to 10000 (got 0)'],
    [['history', '--limit', '2.5'], '--limit must be a whole number from 1 to 10000 (got 2.5)'],
    [['history', '--limit', '10001'], '--limit must be a whole number from 1 to 10000 (got 10001)'],
    [['units', '--now', 'yesterday'], '--now must be a date such as 2026-11-23T12:00:00Z (got yesterday)'],
    [['units', '--redis', 'localhost:6379'], '--redis must start with redis:// or rediss:// (got "localhost:6379")'],
    [['units'], 'REDIS_URL must start with redis:// or rediss:// (got "127.0.0.1")', { REDIS_URL: '127.0.0.1' }],
    [['units', '--prefix', 'a b'], '--prefix may hold only letters, digits, "_", "." and "-" (got "a b")'],
    [['units'], 'REDIS_KEY_PREFIX may hold only letters, digits, "_", "." and "-" (got "x:y")', { REDIS_KEY_PREFIX: 'x:y' }],
  ];
  for (const [argv, message, env] of cases) assert.deepEqual(parse(argv, env), { kind: 'usage-error', message }, argv.join(' '));
});

test('the parsed request is frozen', () => {
  assert.ok(Object.isFrozen(request(parse(['stats']))));
});
