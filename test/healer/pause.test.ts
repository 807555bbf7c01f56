// Operators' pauses through the healer: set and ended with the selfheal CLI, honoured by the guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { EventType } from '../../shared/events/types.ts';
import { runCli } from '../cli/run-cli.ts';
import { T0, dataOf, deploy, podTarget, result, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';

const cli = (h: Harness, ...args: string[]) => runCli([...args, '--redis', h.redis.url, '--prefix', h.prefix, '--now', new Date(T0).toISOString()]);

async function fail(h: Harness, pod: string, at: number) {
  h.clock.now = at;
  return h.send(result('web-http', 'http', podTarget('shop', pod), 'failed', at));
}

test('a paused namespace: three failures evict nothing, each skipped as paused with the pause\'s reason; resumed, the next failure acts', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  const paused = await cli(h, 'pause', '--namespace', 'shop', '--for', '1h', '--reason', 'node upgrade', '--by', 'alice');
  assert.equal(paused.code, 0, paused.stderr);

  for (const s of [1, 2, 3]) await fail(h, pod!, T0 + s * 1000);
  const skipped = await fail(h, pod!, T0 + 4000);
  assert.deepEqual([skipped.headers['ce-type'], dataOf(skipped).reason, dataOf(skipped).action], [EventType.healSkipped, 'paused', 'restart']);
  assert.match(String(dataOf(skipped).detail), /^namespace shop paused by alice until 2026-11-23T13:00:00\.000Z: node upgrade$/);
  assert.equal(h.evictions(), 0);

  const history = await cli(h, 'history', '--json', '--limit', '10');
  const reasons = (JSON.parse(history.stdout) as { entries: Array<{ reason: string | null }> }).entries.map((e) => e.reason);
  assert.ok(reasons.includes('paused'), `the stream records the pause: ${reasons.join(', ')}`);

  const resumed = await cli(h, 'resume', '--namespace', 'shop');
  assert.deepEqual([resumed.code, resumed.stdout], [0, 'resumed namespace shop\n']);
  const acted = await fail(h, pod!, T0 + 5000);
  assert.equal(acted.headers['ce-type'], EventType.healPerformed);
  assert.equal(h.evictions(), 1);
});

test('a pause of the rule or of the workload holds too; one of another workload does not', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  await cli(h, 'pause', '--workload', 'shop/Deployment/api', '--for', '1h', '--reason', 'not this one');
  await cli(h, 'pause', '--rule', 'web-http', '--for', '30m', '--reason', 'rule under review');
  for (const s of [1, 2]) await fail(h, pod!, T0 + s * 1000);
  const byRule = await fail(h, pod!, T0 + 3000);
  assert.equal(dataOf(byRule).reason, 'paused');
  assert.match(String(dataOf(byRule).detail), /^rule web-http paused by .+ until 2026-11-23T12:30:00\.000Z: rule under review$/);
  await cli(h, 'resume', '--rule', 'web-http');
  await cli(h, 'pause', '--workload', 'shop/Deployment/web', '--for', '1h', '--reason', 'migrating');
  const byWorkload = await fail(h, pod!, T0 + 4000);
  assert.deepEqual([dataOf(byWorkload).reason, h.evictions()], ['paused', 0]);
  assert.match(String(dataOf(byWorkload).detail), /^workload shop\/Deployment\/web paused by .* until .*: migrating$/);
});

test('an expired pause no longer holds, even before Redis drops its key', async (t) => {
  const h = await startHarness(t);
  const [pod] = await deploy(h, 'shop', 'web', 2);
  assert.equal((await cli(h, 'pause', '--namespace', 'shop', '--for', '1m', '--reason', 'short')).code, 0);
  const redis = new Redis(h.redis.url);
  t.after(() => redis.disconnect());
  assert.ok((await redis.pttl(`{${h.prefix}}:pause:namespace:shop`)) > 0, 'the key expires with the pause');
  for (const s of [1, 2]) await fail(h, pod!, T0 + s * 1000);
  assert.equal(dataOf(await fail(h, pod!, T0 + 3000)).reason, 'paused');
  const after = await fail(h, pod!, T0 + 61_000);
  assert.equal(after.headers['ce-type'], EventType.healPerformed);
  assert.equal(h.evictions(), 1);
});
