// selfheal history --rule R on the global stream: the last entries of that rule, however many entries of other
// rules came after them (the filter reads on until it has --limit rows, within a bound).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { useRedis } from '../support/redis.ts';
import { runCli } from './run-cli.ts';

test('history --rule finds the rule\'s entries behind many newer entries of other rules', async (t) => {
  const redis = await useRedis();
  t.after(() => redis.close());
  const client = new Redis(redis.url);
  t.after(() => client.disconnect());
  const prefix = `${redis.prefix}-hist-rule`;
  const stream = `{${prefix}}:events`;
  const entry = (target: string, reason: string) => ['at', '2026-11-23T12:00:00.000Z', 'target', target, 'outcome', 'failed', 'decision', 'act', 'reason', reason, 'action', 'restart', 'failures', '3'];
  await client.xadd(stream, '*', ...entry('nginx-http:web:Pod:nginx-1', 'threshold-reached'));
  for (let i = 0; i < 1_500; i++) await client.xadd(stream, '*', ...entry(`backend-http:backend:Pod:backend-${i % 2}`, 'passing'));
  const run = await runCli(['history', '--rule', 'nginx-http', '--limit', '5', '--json', '--redis', redis.url, '--prefix', prefix]);
  assert.equal(run.code, 0, run.stderr);
  const rows = (JSON.parse(run.stdout) as { entries: Array<{ target: string; reason: string }> }).entries;
  assert.deepEqual(rows.map((r) => [r.target, r.reason]), [['nginx-http:web:Pod:nginx-1', 'threshold-reached']]);
});
